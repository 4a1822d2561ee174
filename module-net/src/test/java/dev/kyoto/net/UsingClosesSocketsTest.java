package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Handle;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.sync.Semaphore;
import dev.kyoto.runtime.time.Time;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A task owns the socket it opened with {@code Async.using}: however the task stops reading (it is
 * aborted, its read loses a race, a timeout fires around it) the socket is closed, its descriptor
 * and registration are released and the peer sees end of stream; and a server built from
 * {@code loop} and {@code using} gives back every descriptor of every connection it served.
 */
class UsingClosesSocketsTest {
    private static final int CYCLES = 10_000;

    @BeforeAll
    static void openWhatTheJdkKeepsOpen() throws IOException {
        Loopback.openJdkPreCloseDescriptor();
    }

    /** How the reading task stops: what wraps its {@code using}, and how joining it then ends. */
    enum Ending {
        ABORT(a -> a),
        LOST_RACE(a -> Async.race(a, Time.sleep(Duration.ofMillis(20)).map(v -> -2))),
        TIMEOUT(a -> Time.timeout(Duration.ofMillis(20), a));

        final Function<Async<Integer>, Async<Integer>> wrap;

        Ending(Function<Async<Integer>, Async<Integer>> wrap) {
            this.wrap = wrap;
        }
    }

    static Stream<Arguments> flavoursAndEndings() {
        return Loopback.flavours().flatMap(f -> Stream.of(Ending.values()).map(e -> Arguments.of(f, e)));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("flavoursAndEndings")
    void stoppingATaskMidReadClosesTheSocketItWasReading(Supplier<KyotoRuntime> flavour, Ending ending) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = flavour.get(); TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"))) {
                readThenStop(rt, listener, ending);
            }
        });
    }

    private static void readThenStop(KyotoRuntime rt, TcpListener listener, Ending ending) throws Exception {
        Set<String> before = Loopback.openSockets();
        long registrations = Released.registrations(rt);
        Set<String> opened;
        try (Socket peer = new Socket(InetAddress.getLoopbackAddress(), listener.localAddress().getPort())) {
            peer.setSoTimeout(30_000);
            TcpStream accepted = rt.blockOn(listener.accept());
            opened = new HashSet<>(Loopback.openSockets());
            opened.removeAll(before);
            assertEquals(2, opened.size(), "the peer's socket and the accepted one: " + opened);
            Semaphore reading = new Semaphore(0);
            JoinHandle<Integer> task = rt.spawn(ending.wrap.apply(Async.using(accepted, s -> {
                reading.addPermits(1);
                return s.read(ByteBuffer.allocate(64));
            })));
            rt.blockOn(reading.acquire()).close();
            switch (ending) {
                case ABORT -> {
                    task.abort();
                    assertThrows(CancellationException.class, () -> rt.blockOn(task));
                }
                case LOST_RACE -> assertEquals(-2, rt.blockOn(task), "the timer won the race");
                case TIMEOUT -> assertInstanceOf(TimeoutException.class, assertThrows(Exception.class, () -> rt.blockOn(task)));
            }
            Released.awaitSockets(rt, before, opened, 1, registrations, ending + ": only the peer's socket is left");
            assertEquals(-1, peer.getInputStream().read(), "the peer reads end of stream");
        }
        Released.awaitSockets(rt, before, opened, 0, registrations, ending + ": once the peer closed too");
    }

    /** The server of the examples: an accept loop that spawns each connection's echo inside {@code using}. */
    static Async<Void> acceptLoop(TcpListener listener, AcceptBackoff backoff) {
        return Async.loop(() -> backoff.accept(listener).map(s -> {
            Handle.current().spawn(Async.using(s, conn -> echo(conn, ByteBuffer.allocate(1024))));
            return true;
        }));
    }

    static Async<Void> echo(TcpStream s, ByteBuffer buf) {
        return Async.loop(() -> s.read(buf.clear()).then(n -> n < 0
                ? Async.ready(false)
                : s.writeAll(buf.flip()).map(v -> true)));
    }

    @ParameterizedTest
    @MethodSource("dev.kyoto.net.Loopback#flavours")
    void tenThousandConnectionsToTheUsingEchoServerLeaveNoDescriptorBehind(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (KyotoRuntime rt = flavour.get(); TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"))) {
                JoinHandle<Void> server = rt.spawn(acceptLoop(listener, new AcceptBackoff((failure, pause) -> { })));
                long fds = Loopback.openDescriptors();
                long registrations = Released.registrations(rt);
                rt.blockOn(connectEchoClose(listener.localAddress(), CYCLES));
                Released.await(rt, fds, registrations, CYCLES + " connections served and closed");
                server.abort();
                // Joined before the listener closes, so the accept loop never sees it closed.
                assertThrows(CancellationException.class, () -> rt.blockOn(server));
            }
        });
    }

    /** {@code cycles} times: connect, send a byte, read its echo, close. */
    private static Async<Void> connectEchoClose(InetSocketAddress address, int cycles) {
        AtomicInteger done = new AtomicInteger();
        ByteBuffer back = ByteBuffer.allocate(1);
        return Async.loop(() -> done.getAndIncrement() == cycles ? Async.ready(false)
                : TcpStream.connect(address).then(c -> Async.using(c, client -> client.writeAll(ByteBuffer.wrap(new byte[] {7}))
                        .then(v -> client.readExact(back.clear()))
                        .map(v -> {
                            assertEquals(7, back.get(0));
                            return true;
                        }))));
    }
}
