package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.time.Time;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tokio's tcp_socket suite, and what the JDK makes of a socket that may become a stream or a listener. */
class TcpSocketTest {
    private static final InetAddress V4 = InetAddress.ofLiteral("127.0.0.1");
    private static final InetAddress V6 = InetAddress.ofLiteral("::1");

    private static TcpSocket socket(boolean v6) throws IOException {
        return v6 ? TcpSocket.newV6() : TcpSocket.newV4();
    }

    private static InetAddress loopback(boolean v6) {
        return v6 ? V6 : V4;
    }

    /** Listens from inside the runtime: like Tokio's, listen registers with the runtime on this thread. */
    private static TcpListener listen(KyotoRuntime rt, TcpSocket socket, int backlog) throws Exception {
        return rt.blockOn(cx -> Poll.ready(socket.listen(backlog)));
    }

    @ParameterizedTest(name = "ipv6={0}")
    @ValueSource(booleans = {false, true})
    void basicUsage(boolean v6) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                TcpSocket server = socket(v6);
                server.bind(new InetSocketAddress(loopback(v6), 0));
                TcpListener listener = listen(rt, server, 128);
                InetSocketAddress listening = listener.localAddress();
                assertEquals(loopback(v6), listening.getAddress());
                assertNotEquals(0, listening.getPort());

                TcpStream client = rt.blockOn(socket(v6).connect(listening));
                TcpStream accepted = rt.blockOn(listener.accept());
                assertEquals(listening, client.peerAddress());
                assertEquals(client.localAddress(), accepted.peerAddress());
                assertEquals(accepted.localAddress(), client.peerAddress());
                client.close();
                accepted.close();
                listener.close();
            }
        });
    }

    @Test
    void bindBeforeConnect() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                TcpSocket client = TcpSocket.newV4();
                assertEquals(Optional.empty(), client.localAddress(), "unbound");
                client.bind(new InetSocketAddress(V4, 0));
                InetSocketAddress bound = client.localAddress().orElseThrow();
                assertNotEquals(0, bound.getPort(), "port 0 picked a port at bind");
                try (TcpStream s = rt.blockOn(client.connect(listener.localAddress()));
                        TcpStream accepted = rt.blockOn(listener.accept())) {
                    assertEquals(bound, s.localAddress());
                    assertEquals(bound, accepted.peerAddress(), "the peer sees the address bound before connecting");
                }
                listener.close();
            }
        });
    }

    @Test
    void basicLinger() throws IOException {
        try (TcpSocket s = TcpSocket.newV4()) {
            assertEquals(Optional.empty(), s.linger());
            s.setZeroLinger();
            assertEquals(Optional.of(Duration.ZERO), s.linger());
            s.setLinger(null);
            assertEquals(Optional.empty(), s.linger());
        }
    }

    /** Tokio's option round trips: the initial value differs from the one set, which then reads back. */
    @ParameterizedTest(name = "ipv6={0}")
    @ValueSource(booleans = {false, true})
    void optionsReadBackWhatWasSet(boolean v6) throws IOException {
        try (TcpSocket s = socket(v6)) {
            assertOptionsReadBack(s);
        }
    }

    /** The round trips of {@link #optionsReadBackWhatWasSet}, on a fresh socket made anywhere. */
    static void assertOptionsReadBack(TcpSocket s) throws IOException {
        assertFalse(s.keepAlive());
        s.setKeepAlive(true);
        assertTrue(s.keepAlive());

        assertFalse(s.reuseAddress());
        s.setReuseAddress(true);
        assertTrue(s.reuseAddress());

        assertFalse(s.reusePort());
        s.setReusePort(true);
        assertTrue(s.reusePort());

        // Linux reserves twice the size asked for; the JDK halves what it reads back.
        assertNotEquals(4096, s.sendBufferSize());
        s.setSendBufferSize(4096);
        assertEquals(4096, s.sendBufferSize());
        assertNotEquals(4096, s.receiveBufferSize());
        s.setReceiveBufferSize(4096);
        assertEquals(4096, s.receiveBufferSize());

        assertEquals(Optional.empty(), s.linger());
        s.setLinger(Duration.ofSeconds(10));
        assertEquals(Optional.of(Duration.ofSeconds(10)), s.linger());
        s.setZeroLinger();
        assertEquals(Optional.of(Duration.ZERO), s.linger());
        s.setLinger(null);
        assertEquals(Optional.empty(), s.linger());

        assertFalse(s.noDelay());
        s.setNoDelay(true);
        assertTrue(s.noDelay());
    }

    @Test
    void optionsSetOnTheSocketStayOnTheStream() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                TcpSocket s = TcpSocket.newV4();
                s.setNoDelay(true);
                try (TcpStream stream = rt.blockOn(s.connect(listener.localAddress()))) {
                    assertTrue(stream.noDelay());
                }
                listener.close();
            }
        });
    }

    @Test
    void badOptionValuesNameTheFix() throws IOException {
        try (TcpSocket s = TcpSocket.newV4()) {
            IllegalArgumentException size = assertThrows(IllegalArgumentException.class, () -> s.setSendBufferSize(0));
            assertTrue(size.getMessage().contains("positive"), size.getMessage());
            assertThrows(IllegalArgumentException.class, () -> s.setReceiveBufferSize(-1));
            IllegalArgumentException linger = assertThrows(IllegalArgumentException.class,
                    () -> s.setLinger(Duration.ofMillis(1500)));
            assertTrue(linger.getMessage().contains("whole number of seconds"), linger.getMessage());
            assertThrows(IllegalArgumentException.class, () -> s.setLinger(Duration.ofSeconds(-1)));
        }
    }

    @Test
    void reusePortWhereUnsupportedNamesThePlatform() {
        UnsupportedOperationException e = TcpSocket.reusePortUnsupported();
        assertTrue(e.getMessage().contains("SO_REUSEPORT"), e.getMessage());
        assertTrue(e.getMessage().contains(System.getProperty("os.name")), e.getMessage());
    }

    @Test
    void connectToAClosedPortFailsAndClosesTheSocket() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                InetSocketAddress refused = Loopback.refusedAddress();
                long before = Loopback.openDescriptors();
                long regs = Released.registrations(rt);
                TcpSocket s = TcpSocket.newV4();
                assertEquals(before + 1, Loopback.openDescriptors(), "the socket exists before it connects");
                assertThrows(ConnectException.class, () -> rt.blockOn(s.connect(refused)));
                Released.await(rt, before, regs, "the failed connect closed the socket");
            }
        });
    }

    @Test
    void aCancelledConnectClosesTheSocket() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Blackhole hole = new Blackhole()) {
                long before = Loopback.openDescriptors();
                long regs = Released.registrations(rt);
                TcpSocket s = TcpSocket.newV4();
                assertThrows(TimeoutException.class,
                        () -> rt.blockOn(Time.timeout(Duration.ofMillis(50), s.connect(hole.address()))));
                Released.await(rt, before, regs, "cancelling the connect closed the socket");
            }
        });
    }

    @Test
    void anAddressOfTheOtherFamilyIsRefusedNamingTheRightConstructor() throws IOException {
        try (TcpSocket v4 = TcpSocket.newV4(); TcpSocket v6 = TcpSocket.newV6()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> v4.bind(new InetSocketAddress(V6, 0)));
            assertTrue(e.getMessage().contains("TcpSocket.newV6()"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> v4.connect(new InetSocketAddress(V6, 80)));
            assertTrue(e.getMessage().contains("TcpSocket.newV6()"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> v6.connect(new InetSocketAddress(V4, 80)));
            assertTrue(e.getMessage().contains("TcpSocket.newV4()"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> v4.connect(InetSocketAddress.createUnresolved("localhost", 80)));
            assertTrue(e.getMessage().contains("Dns.lookup"), e.getMessage());
            // A refused address leaves the socket usable.
            v4.bind(new InetSocketAddress(V4, 0));
            assertNotEquals(0, v4.localAddress().orElseThrow().getPort());
        }
    }

    @Test
    void bindingAnAddressInUseFailsWithBindException() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                try (TcpSocket s = TcpSocket.newV4()) {
                    assertThrows(BindException.class, () -> s.bind(listener.localAddress()));
                }
                try (TcpSocket s = TcpSocket.newV4()) {
                    s.setReuseAddress(true);
                    assertThrows(BindException.class, () -> s.bind(listener.localAddress()),
                            "not even with SO_REUSEADDR while a listener holds the address");
                }
                listener.close();
            }
        });
    }

    @Test
    void reuseAddressLetsTwoClientsBindOneAddressAndConnectToDifferentPeers() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                TcpListener one = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                TcpListener two = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                TcpSocket a = TcpSocket.newV4();
                TcpSocket b = TcpSocket.newV4();
                a.bind(new InetSocketAddress(V4, 0));
                InetSocketAddress shared = a.localAddress().orElseThrow();
                assertThrows(BindException.class, () -> b.bind(shared), "without SO_REUSEADDR");

                TcpSocket c = TcpSocket.newV4();
                TcpSocket d = TcpSocket.newV4();
                c.setReuseAddress(true);
                d.setReuseAddress(true);
                c.bind(new InetSocketAddress(V4, 0));
                d.bind(c.localAddress().orElseThrow());
                assertEquals(c.localAddress(), d.localAddress());
                try (TcpStream s1 = rt.blockOn(c.connect(one.localAddress()));
                        TcpStream s2 = rt.blockOn(d.connect(two.localAddress()))) {
                    assertEquals(s1.localAddress(), s2.localAddress(), "one local address, two connections");
                    assertEquals(s1.localAddress(), rt.blockOn(one.accept()).peerAddress());
                    assertEquals(s2.localAddress(), rt.blockOn(two.accept()).peerAddress());
                }
                a.close();
                b.close();
                one.close();
                two.close();
            }
        });
    }

    @Test
    void reusePortLetsTwoListenersShareAPort() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                TcpSocket first = TcpSocket.newV4();
                first.setReusePort(true);
                first.bind(new InetSocketAddress(V4, 0));
                InetSocketAddress address = first.localAddress().orElseThrow();
                TcpSocket second = TcpSocket.newV4();
                second.setReusePort(true);
                second.bind(address);
                TcpListener l1 = listen(rt, first, 16);
                TcpListener l2 = listen(rt, second, 16);
                assertEquals(address, l1.localAddress(), "the listener took the address the socket was bound to");
                assertEquals(address, l2.localAddress());
                // Without SO_REUSEPORT carried over to the listeners, the second listen would fail.
                try (TcpSocket third = TcpSocket.newV4()) {
                    assertThrows(BindException.class, () -> third.bind(address));
                }
                l1.close();
                l2.close();
            }
        });
    }

    @Test
    void listenHonoursTheBacklog() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                TcpSocket server = TcpSocket.newV4();
                server.bind(new InetSocketAddress(V4, 0));
                TcpListener listener = listen(rt, server, 1);
                InetSocketAddress address = listener.localAddress();
                // Linux queues backlog + 1 = 2 handshakes for a listener that does not accept ...
                List<TcpStream> queued = new ArrayList<>();
                queued.add(rt.blockOn(TcpStream.connect(address, Duration.ofSeconds(10))));
                queued.add(rt.blockOn(TcpStream.connect(address, Duration.ofSeconds(10))));
                // ... and drops the third's SYN: with TcpListener.BACKLOG it would be queued at once.
                assertThrows(java.net.SocketTimeoutException.class,
                        () -> rt.blockOn(TcpStream.connect(address, Duration.ofMillis(200))));
                try (TcpStream first = rt.blockOn(listener.accept())) {
                    assertEquals(queued.get(0).localAddress(), first.peerAddress());
                }
                for (TcpStream s : queued) {
                    s.close();
                }
                listener.close();
                try (TcpSocket s = TcpSocket.newV4()) {
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> listen(rt, s, 0));
                    assertTrue(e.getMessage().contains("at least 1"), e.getMessage());
                }
            }
        });
    }

    @Test
    void listenRefusesOptionsAListenerCannotPassOnAndKeepsTheSocket() throws IOException {
        try (KyotoRuntime rt = Loopback.runtime(); TcpSocket s = TcpSocket.newV4()) {
            s.setNoDelay(true);
            s.setKeepAlive(true);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> listen(rt, s, 16));
            assertTrue(e.getMessage().contains("TCP_NODELAY, SO_KEEPALIVE"), e.getMessage());
            assertTrue(e.getMessage().contains("accepted TcpStream"), e.getMessage());
            assertTrue(s.noDelay(), "the socket is still usable");
        }
    }

    @Test
    void listenWithoutARuntimeNamesTheFixAndKeepsTheSocket() throws IOException {
        try (TcpSocket s = TcpSocket.newV4()) {
            s.bind(new InetSocketAddress(V4, 0));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.listen(16));
            assertTrue(e.getMessage().contains("no Kyoto runtime is running on this thread"), e.getMessage());
            assertNotEquals(0, s.localAddress().orElseThrow().getPort(), "the socket is still usable");
        }
    }

    @Test
    void aConsumedOrClosedSocketCannotBeUsedAgain() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                TcpSocket s = TcpSocket.newV4();
                TcpStream stream = rt.blockOn(s.connect(listener.localAddress()));
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.setNoDelay(true));
                assertTrue(e.getMessage().contains("consumed by connect()"), e.getMessage());
                assertThrows(IllegalStateException.class, () -> s.connect(listener.localAddress()));
                s.close();
                assertTrue(stream.peerAddress() != null, "closing a consumed socket leaves the stream open");
                stream.close();

                TcpSocket l = TcpSocket.newV4();
                l.bind(new InetSocketAddress(V4, 0));
                listen(rt, l, 16).close();
                e = assertThrows(IllegalStateException.class, () -> listen(rt, l, 16));
                assertTrue(e.getMessage().contains("consumed by listen()"), e.getMessage());

                TcpSocket closed = TcpSocket.newV4();
                closed.close();
                e = assertThrows(IllegalStateException.class, closed::localAddress);
                assertTrue(e.getMessage().contains("closed"), e.getMessage());
                listener.close();
            }
        });
    }
}
