package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The connector on loopback only: a {@link Blackhole} stands for an address that never answers,
 * a closed port for one that refuses. The timing assertions are the ones RFC 8305 is about (the
 * next attempt after the attempt delay, or at once after a failure), with margins wide enough for
 * a loaded two-core machine; each prints what it measured.
 */
class TcpConnectorTest {
    private static final InetAddress V4 = InetAddress.ofLiteral("127.0.0.1");
    private static final InetAddress V6 = InetAddress.ofLiteral("::1");
    /** How late a started attempt may connect on a loaded machine and still count as "on time". */
    private static final long MARGIN_MS = 1000;

    private static KyotoRuntime currentThread() {
        return KyotoRuntime.builder().currentThread().enableAll().build();
    }

    private static KyotoRuntime multiThread() {
        return KyotoRuntime.builder().multiThread().workerThreads(2).enableAll().build();
    }

    static Stream<Arguments> flavoursAndDelays() {
        Supplier<KyotoRuntime> current = TcpConnectorTest::currentThread;
        Supplier<KyotoRuntime> multi = TcpConnectorTest::multiThread;
        Duration fifty = Duration.ofMillis(50);
        return Stream.of(Arguments.of("current-thread", current, fifty), Arguments.of("current-thread", current, null),
                Arguments.of("multi-thread", multi, fifty), Arguments.of("multi-thread", multi, null));
    }

    private static double millisSince(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }

    /** A port on {@code loopback} with nothing listening: bound once to learn a free port, then closed. */
    private static InetSocketAddress refused(InetAddress loopback) throws IOException {
        try (ServerSocketChannel ch = ServerSocketChannel.open(loopback instanceof java.net.Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET)) {
            ch.bind(new InetSocketAddress(loopback, 0));
            return (InetSocketAddress) ch.getLocalAddress();
        }
    }

    @ParameterizedTest(name = "{0}, attempt delay {2} (null: the default)")
    @MethodSource("flavoursAndDelays")
    void aPendingFirstAddressLosesToAWorkingSecondOnceTheAttemptDelayHasPassed(String name,
            Supplier<KyotoRuntime> flavour, Duration delay) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = flavour.get(); Blackhole hole = new Blackhole()) {
                TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                TcpConnector connector = delay == null ? TcpConnector.builder().build()
                        : TcpConnector.builder().attemptDelay(delay).build();
                long delayMs = connector.attemptDelay().toMillis();
                assertEquals(delay == null ? 250 : delay.toMillis(), delayMs);
                long fds = Loopback.openDescriptors();
                long regs = Released.registrations(rt);

                long t0 = System.nanoTime();
                TcpStream s = rt.blockOn(connector.connect(List.of(hole.address(), listener.localAddress())));
                double elapsed = millisSince(t0);
                System.out.printf("Happy Eyeballs timing: %s runtime, attempt delay %d ms, connected to the second"
                        + " address after %.1f ms (%+.1f ms)%n", name,
                        delayMs, elapsed, elapsed - delayMs);

                assertEquals(listener.localAddress(), s.peerAddress(), "the working address won");
                assertTrue(elapsed >= delayMs, "the second attempt started " + (delayMs - elapsed) + " ms early");
                assertTrue(elapsed < delayMs + MARGIN_MS, "connected " + elapsed + " ms after the start");
                Released.await(rt, fds + 1, regs + 1, "only the winner's socket is open: the pending attempt was closed");
                s.close();
                listener.close();
            }
        });
    }

    @Test
    void eachAttemptGetsItsOwnDelayBeforeTheNextStarts() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = currentThread(); Blackhole hole = new Blackhole()) {
                TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                TcpConnector connector = TcpConnector.builder().attemptDelay(Duration.ofMillis(50)).build();
                long fds = Loopback.openDescriptors();
                long regs = Released.registrations(rt);
                long t0 = System.nanoTime();
                try (TcpStream s = rt.blockOn(connector.connect(
                        List.of(hole.address(), hole.address(), listener.localAddress())))) {
                    double elapsed = millisSince(t0);
                    System.out.printf("Happy Eyeballs timing: two pending, third connected after %.1f ms"
                            + " (attempt delay 50 ms)%n", elapsed);
                    assertEquals(listener.localAddress(), s.peerAddress());
                    assertTrue(elapsed >= 100 && elapsed < 100 + MARGIN_MS, elapsed + " ms");
                    Released.await(rt, fds + 1, regs + 1, "both pending attempts were closed");
                }
                listener.close();
            }
        });
    }

    @Test
    void theFamiliesAreInterleavedSoTheOtherFamilyIsTriedSecond() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = currentThread(); Blackhole hole6 = new Blackhole(V6)) {
                TcpListener listener6 = rt.blockOn(TcpListener.bind("[::1]:0"));
                TcpListener listener4 = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                TcpConnector connector = TcpConnector.builder().attemptDelay(Duration.ofMillis(50)).build();
                long t0 = System.nanoTime();
                // In the given order ::1 would be tried twice before 127.0.0.1; RFC 8305 tries 127.0.0.1 second.
                try (TcpStream s = rt.blockOn(connector.connect(
                        List.of(hole6.address(), listener6.localAddress(), listener4.localAddress())))) {
                    double elapsed = millisSince(t0);
                    System.out.printf("Happy Eyeballs timing: [::1] pending, then 127.0.0.1 after %.1f ms"
                            + " (attempt delay 50 ms)%n", elapsed);
                    assertEquals(listener4.localAddress(), s.peerAddress());
                    assertTrue(elapsed >= 50 && elapsed < 50 + MARGIN_MS, elapsed + " ms");
                }
                listener6.close();
                listener4.close();
            }
        });
    }

    @Test
    void aFailedAttemptStartsTheNextAtOnceWithoutWaitingOutTheDelay() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = currentThread()) {
                TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                TcpConnector connector = TcpConnector.builder().attemptDelay(Duration.ofSeconds(10)).build();
                long t0 = System.nanoTime();
                try (TcpStream s = rt.blockOn(connector.connect(
                        List.of(refused(V6), refused(V4), listener.localAddress())))) {
                    double elapsed = millisSince(t0);
                    System.out.printf("Happy Eyeballs timing: two refusals, then connected after %.1f ms"
                            + " (attempt delay 10000 ms)%n", elapsed);
                    assertEquals(listener.localAddress(), s.peerAddress());
                    assertTrue(elapsed < 2000, "waited " + elapsed + " ms: the delay was waited out");
                }
                listener.close();
            }
        });
    }

    @Test
    void aFailureWhileAnEarlierAttemptIsStillPendingAlsoStartsTheNextAtOnce() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = currentThread(); Blackhole hole = new Blackhole()) {
                TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                long delayMs = 2000;
                TcpConnector connector = TcpConnector.builder().attemptDelay(Duration.ofMillis(delayMs)).build();
                long t0 = System.nanoTime();
                // The blackhole keeps the first attempt pending; the second is refused at the first
                // delay, and the third must start then, not one more delay later.
                try (TcpStream s = rt.blockOn(connector.connect(
                        List.of(hole.address(), refused(V4), listener.localAddress())))) {
                    double elapsed = millisSince(t0);
                    System.out.printf("Happy Eyeballs timing: pending, refused at the delay, then connected after"
                            + " %.1f ms (attempt delay %d ms)%n", elapsed, delayMs);
                    assertEquals(listener.localAddress(), s.peerAddress());
                    assertTrue(elapsed >= delayMs && elapsed < delayMs + MARGIN_MS, elapsed + " ms");
                }
                listener.close();
            }
        });
    }

    @Test
    void whenEveryAttemptIsRefusedOneErrorCarriesEachCause() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = currentThread()) {
                InetSocketAddress r6 = refused(V6);
                InetSocketAddress r4 = refused(V4);
                long fds = Loopback.openDescriptors();
                long regs = Released.registrations(rt);
                TcpConnector connector = TcpConnector.builder().build();
                ConnectException e = assertThrows(ConnectException.class,
                        () -> rt.blockOn(connector.connect(List.of(r6, r4))));
                assertEquals(2, e.getSuppressed().length, List.of(e.getSuppressed()).toString());
                for (Throwable cause : e.getSuppressed()) {
                    assertInstanceOf(ConnectException.class, cause);
                }
                assertTrue(e.getMessage().contains(r6.toString()) && e.getMessage().contains(r4.toString()),
                        e.getMessage());
                assertTrue(e.getMessage().contains("all 2 attempts failed"), e.getMessage());
                Released.await(rt, fds, regs, "both sockets closed");

                ConnectException one = assertThrows(ConnectException.class, () -> rt.blockOn(connector.connect(r4)));
                assertEquals(1, one.getSuppressed().length);
                assertTrue(one.getMessage().startsWith("could not connect to " + r4), one.getMessage());
            }
        });
    }

    @Test
    void theOverallTimeoutNamesTargetAndLimitAndClosesEveryAttempt() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = currentThread(); Blackhole hole = new Blackhole()) {
                InetSocketAddress r4 = refused(V4);
                long fds = Loopback.openDescriptors();
                long regs = Released.registrations(rt);
                TcpConnector connector = TcpConnector.builder().attemptDelay(Duration.ofMillis(50))
                        .timeout(Duration.ofMillis(300)).build();
                long t0 = System.nanoTime();
                SocketTimeoutException e = assertThrows(SocketTimeoutException.class,
                        () -> rt.blockOn(connector.connect(List.of(r4, hole.address(), hole.address()))));
                double elapsed = millisSince(t0);
                assertTrue(elapsed >= 300, elapsed + " ms");
                assertTrue(e.getMessage().contains(hole.address().toString()), e.getMessage());
                assertTrue(e.getMessage().contains("300 ms"), e.getMessage());
                assertEquals(1, e.getSuppressed().length, "the refusal before the deadline is reported");
                assertInstanceOf(ConnectException.class, e.getSuppressed()[0]);
                Released.await(rt, fds, regs, "every attempt was closed");

                SocketTimeoutException named = assertThrows(SocketTimeoutException.class,
                        () -> rt.blockOn(connector.connect("local.kyoto.test", hole.address().getPort())));
                assertTrue(named.getMessage().contains("local.kyoto.test:" + hole.address().getPort()), named.getMessage());
            }
        });
    }

    @Test
    void theLocalAddressIsBoundAndSeenByThePeer() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = currentThread()) {
                TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                InetSocketAddress local = refused(V4);
                TcpConnector connector = TcpConnector.builder().localAddress(local).build();
                assertEquals(Optional.of(local), connector.localAddress());
                try (TcpStream s = rt.blockOn(connector.connect(listener.localAddress()));
                        TcpStream accepted = rt.blockOn(listener.accept())) {
                    assertEquals(local, s.localAddress());
                    assertEquals(local, accepted.peerAddress(), "the peer sees the connector's local address");
                }
                listener.close();
            }
        });
    }

    @Test
    void aLocalAddressLimitsTheRaceToItsFamily() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = currentThread()) {
                TcpListener listener6 = rt.blockOn(TcpListener.bind("[::1]:0"));
                TcpListener listener4 = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                TcpConnector v4only = TcpConnector.builder().localAddress(new InetSocketAddress(V4, 0)).build();
                try (TcpStream s = rt.blockOn(v4only.connect(List.of(listener6.localAddress(), listener4.localAddress())))) {
                    assertEquals(listener4.localAddress(), s.peerAddress(), "::1 was skipped, not tried first");
                }
                IOException e = assertThrows(IOException.class,
                        () -> rt.blockOn(v4only.connect(listener6.localAddress())));
                assertTrue(e.getMessage().contains("local address"), e.getMessage());
                listener6.close();
                listener4.close();
            }
        });
    }

    @Test
    void theOptionsAreSetOnTheStream() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = currentThread()) {
                TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                TcpConnector connector = TcpConnector.builder().noDelay(true).keepAlive(true)
                        .sendBufferSize(32 * 1024).receiveBufferSize(48 * 1024).reuseAddress(true).build();
                try (TcpStream s = rt.blockOn(connector.connect(listener.localAddress()))) {
                    assertTrue(s.noDelay());
                    assertTrue(s.keepAlive());
                    assertEquals(32 * 1024, s.sendBufferSize());
                    assertEquals(48 * 1024, s.receiveBufferSize());
                    // The JDK's own view, where the stream is a JDK channel (io_uring's are the driver's own sockets).
                    if (!Loopback.driverOwnsSockets(rt)) {
                        SocketChannel ch = rt.blockOn(s.intoChannel());
                        assertTrue(ch.getOption(StandardSocketOptions.SO_KEEPALIVE));
                        assertTrue(ch.getOption(StandardSocketOptions.SO_REUSEADDR));
                        assertEquals(32 * 1024, ch.getOption(StandardSocketOptions.SO_SNDBUF));
                        assertEquals(48 * 1024, ch.getOption(StandardSocketOptions.SO_RCVBUF));
                    }
                }
                try (TcpStream plain = rt.blockOn(TcpConnector.builder().build().connect(listener.localAddress()))) {
                    assertTrue(!plain.noDelay(), "a connector without options leaves the defaults");
                }
                listener.close();
            }
        });
    }

    @Test
    void zeroLingerMakesCloseResetTheConnection() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = currentThread()) {
                TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                TcpConnector connector = TcpConnector.builder().zeroLinger().build();
                TcpStream s = rt.blockOn(connector.connect(listener.localAddress()));
                assertEquals(java.util.Optional.of(Duration.ZERO), s.linger());
                try (TcpStream accepted = rt.blockOn(listener.accept())) {
                    s.close();
                    IOException e = assertThrows(IOException.class,
                            () -> rt.blockOn(accepted.read(ByteBuffer.allocate(16))));
                    assertTrue(e.getMessage().contains("reset"), e.getMessage());
                }
                listener.close();
            }
        });
    }

    @Test
    void namesAreResolvedAndEveryAddressFormConnects() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = currentThread()) {
                // Only ::1 listens on this port; refused-first.kyoto.test is ::1 and 127.0.0.1, and
                // whichever the resolver lists first, the refusal hands over at once.
                TcpListener listener = rt.blockOn(TcpListener.bind("[::1]:0"));
                int port = listener.localAddress().getPort();
                TcpConnector connector = TcpConnector.builder().attemptDelay(Duration.ofSeconds(10)).build();
                List<TcpStream> streams = new ArrayList<>();
                streams.add(rt.blockOn(connector.connect("refused-first.kyoto.test:" + port)));
                streams.add(rt.blockOn(connector.connect("refused-first.kyoto.test", port)));
                streams.add(rt.blockOn(connector.connect(InetSocketAddress.createUnresolved("refused-first.kyoto.test", port))));
                streams.add(rt.blockOn(connector.connect("[::1]:" + port)));
                streams.add(rt.blockOn(connector.connect(listener.localAddress())));
                for (TcpStream s : streams) {
                    assertEquals(listener.localAddress(), s.peerAddress());
                    s.close();
                }
                assertThrows(java.net.UnknownHostException.class,
                        () -> rt.blockOn(connector.connect("no-such-host.kyoto.test:80")));
                IOException empty = assertThrows(IOException.class, () -> rt.blockOn(connector.connect(List.of())));
                assertEquals("could not resolve to any address", empty.getMessage());
                listener.close();
            }
        });
    }

    @Test
    void oneConnectorServesManyTasksAtOnce() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = multiThread()) {
                TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                TcpConnector connector = TcpConnector.builder().noDelay(true).timeout(Duration.ofSeconds(20)).build();
                List<JoinHandle<TcpStream>> tasks = new ArrayList<>();
                for (int i = 0; i < 32; i++) {
                    tasks.add(rt.spawn(connector.connect(List.of(refused(V4), listener.localAddress()))));
                }
                Set<InetSocketAddress> locals = new HashSet<>();
                for (JoinHandle<TcpStream> t : tasks) {
                    TcpStream s = rt.blockOn(t);
                    assertTrue(s.noDelay());
                    locals.add(s.localAddress());
                }
                Set<InetSocketAddress> peers = new HashSet<>();
                for (int i = 0; i < 32; i++) {
                    peers.add(rt.blockOn(listener.accept()).peerAddress());
                }
                assertEquals(locals, peers, "32 distinct connections, all accepted");
                listener.close();
            }
        });
    }

    @Test
    void badSettingsAreRefusedNamingTheFix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TcpConnector.builder().attemptDelay(Duration.ofMillis(5)));
        assertTrue(e.getMessage().contains("10 ms") && e.getMessage().contains("RFC 8305"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TcpConnector.builder().timeout(Duration.ZERO));
        assertTrue(e.getMessage().contains("positive"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> TcpConnector.builder().localAddress(InetSocketAddress.createUnresolved("localhost", 0)));
        assertTrue(e.getMessage().contains("resolved"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TcpConnector.builder().sendBufferSize(0));
        assertThrows(IllegalArgumentException.class, () -> TcpConnector.builder().linger(Duration.ofMillis(10)));
        TcpConnector c = TcpConnector.builder().build();
        e = assertThrows(IllegalArgumentException.class, () -> c.connect("localhost"));
        assertTrue(e.getMessage().contains("HOST:PORT"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> c.connect(List.of(InetSocketAddress.createUnresolved("localhost", 80))));
    }

    @Test
    void theConnectorIsAnImmutablePolicy() {
        TcpConnector.Builder b = TcpConnector.builder().attemptDelay(Duration.ofMillis(100)).timeout(Duration.ofSeconds(3))
                .noDelay(true);
        TcpConnector first = b.build();
        b.attemptDelay(Duration.ofMillis(300));
        assertEquals(Duration.ofMillis(100), first.attemptDelay(), "building again does not change a built connector");
        assertEquals(Optional.of(Duration.ofSeconds(3)), first.timeout());
        assertEquals(Optional.empty(), first.localAddress());
        assertEquals(TcpConnector.DEFAULT_ATTEMPT_DELAY, TcpConnector.builder().build().attemptDelay());
        assertEquals("TcpConnector[attemptDelay=100 ms, timeout=3000 ms, TCP_NODELAY=true]", first.toString());
    }

    @Test
    void connectingNeedsTimers() {
        try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().enableIo().build()) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> rt.blockOn(TcpConnector.builder().build().connect("127.0.0.1:9")));
            assertTrue(e.getMessage().contains("enableTime()"), e.getMessage());
        }
    }
}
