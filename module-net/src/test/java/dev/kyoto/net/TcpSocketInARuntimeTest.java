package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A {@link TcpSocket} made on a runtime's thread, as a task or a connector makes it: on a driver
 * that owns its sockets (io_uring) the driver's own socket, whose options, bind, connect and
 * listen must behave as the JDK channel's do, except that listening carries every option to the
 * connections accepted. Runs on every driver, like the rest of the suite.
 */
class TcpSocketInARuntimeTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    private static InetAddress loopback(boolean v6) {
        return InetAddress.ofLiteral(v6 ? "::1" : "127.0.0.1");
    }

    /** A socket made inside {@code rt}, as a task would make it. */
    private static TcpSocket made(KyotoRuntime rt, boolean v6) throws Exception {
        return rt.blockOn(cx -> Poll.ready(v6 ? TcpSocket.newV6() : TcpSocket.newV4()));
    }

    private static TcpListener listen(KyotoRuntime rt, TcpSocket socket, int backlog) throws Exception {
        return rt.blockOn(cx -> Poll.ready(socket.listen(backlog)));
    }

    @Test
    void aSocketMadeInARuntimeIsItsDriversOwnWhereTheDriverOwnsSockets() throws Exception {
        try (KyotoRuntime rt = Loopback.runtime(); TcpSocket s = made(rt, false)) {
            String expected = Loopback.driverOwnsSockets(rt) ? "driver-owned" : "JDK channel";
            assertTrue(s.toString().contains(expected), s + " on " + rt.metrics().ioDriverName());
            assertTrue(s.toString().contains("unbound"), s.toString());
        }
        try (TcpSocket outside = TcpSocket.newV4()) {
            assertTrue(outside.toString().contains("JDK channel"), "made outside any runtime: " + outside);
        }
    }

    /** Tokio's option round trips, on the socket a runtime's thread makes. */
    @ParameterizedTest(name = "ipv6={0}")
    @ValueSource(booleans = {false, true})
    void optionsReadBackWhatWasSet(boolean v6) throws Exception {
        try (KyotoRuntime rt = Loopback.runtime(); TcpSocket s = made(rt, v6)) {
            TcpSocketTest.assertOptionsReadBack(s);
        }
    }

    /** The peer sees the address bound before the connect, and bytes go both ways. */
    @ParameterizedTest(name = "ipv6={0}")
    @ValueSource(booleans = {false, true})
    void connectsFromTheAddressItWasBoundTo(boolean v6) {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime();
                    TcpListener listener = rt.blockOn(TcpListener.bind(new InetSocketAddress(loopback(v6), 0)))) {
                TcpSocket s = made(rt, v6);
                assertEquals(Optional.empty(), s.localAddress(), "unbound");
                s.bind(new InetSocketAddress(loopback(v6), 0));
                InetSocketAddress bound = s.localAddress().orElseThrow();
                assertNotEquals(0, bound.getPort(), "port 0 picked a port at bind");
                try (TcpStream client = rt.blockOn(s.connect(listener.localAddress()));
                        TcpStream accepted = rt.blockOn(listener.accept())) {
                    assertEquals(bound, client.localAddress());
                    assertEquals(bound, accepted.peerAddress());
                    rt.blockOn(client.writeAll(ByteBuffer.wrap(new byte[] {1, 2, 3})));
                    ByteBuffer in = ByteBuffer.allocate(3);
                    rt.blockOn(accepted.readExact(in));
                    assertEquals(ByteBuffer.wrap(new byte[] {1, 2, 3}), in.flip());
                }
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.setNoDelay(true));
                assertTrue(e.getMessage().contains("consumed by connect()"), e.getMessage());
            }
        });
    }

    /**
     * On the driver's own socket, listening carries every option to the connections accepted, as
     * on Tokio; a JDK listener cannot, and refuses, keeping the socket.
     */
    @Test
    void listenCarriesEveryOptionToTheConnectionsAcceptedOnTheDriversSocket() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                TcpSocket s = made(rt, false);
                s.setKeepAlive(true);
                s.setSendBufferSize(96 * 1024);
                s.bind(new InetSocketAddress(loopback(false), 0));
                if (!Loopback.driverOwnsSockets(rt)) {
                    IllegalStateException e = assertThrows(IllegalStateException.class, () -> listen(rt, s, 16));
                    assertTrue(e.getMessage().contains("SO_KEEPALIVE, SO_SNDBUF"), e.getMessage());
                    assertTrue(s.keepAlive(), "the socket is still usable");
                    s.close();
                    return;
                }
                try (TcpListener listener = listen(rt, s, 16);
                        TcpStream client = rt.blockOn(TcpStream.connect(listener.localAddress()));
                        TcpStream accepted = rt.blockOn(listener.accept())) {
                    assertTrue(accepted.keepAlive(), "SO_KEEPALIVE reached the accepted connection");
                    assertEquals(96 * 1024, accepted.sendBufferSize(), "SO_SNDBUF reached it too");
                    assertFalse(client.keepAlive(), "the connecting side has its own defaults");
                }
            }
        });
    }

    /** Unbound, a socket listens on the wildcard address at a free port, which loopback reaches. */
    @Test
    void anUnboundSocketListensOnAFreePort() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); TcpListener listener = listen(rt, made(rt, false), 16)) {
                int port = listener.localAddress().getPort();
                assertNotEquals(0, port);
                assertTrue(listener.localAddress().getAddress().isAnyLocalAddress(), listener.localAddress().toString());
                try (TcpStream client = rt.blockOn(TcpStream.connect(new InetSocketAddress(loopback(false), port)));
                        TcpStream accepted = rt.blockOn(listener.accept())) {
                    assertEquals(client.localAddress(), accepted.peerAddress());
                }
            }
        });
    }

    @Test
    void reusePortLetsTwoListenersShareAPort() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                TcpSocket first = made(rt, false);
                first.setReusePort(true);
                first.bind(new InetSocketAddress(loopback(false), 0));
                InetSocketAddress address = first.localAddress().orElseThrow();
                TcpSocket second = made(rt, false);
                second.setReusePort(true);
                second.bind(address);
                try (TcpListener l1 = listen(rt, first, 16); TcpListener l2 = listen(rt, second, 16);
                        TcpSocket third = made(rt, false)) {
                    assertEquals(address, l1.localAddress());
                    assertEquals(address, l2.localAddress());
                    BindException e = assertThrows(BindException.class, () -> third.bind(address));
                    assertTrue(e.getMessage().contains(address.getPort() + ""), "the error names the address: " + e.getMessage());
                }
            }
        });
    }

    /**
     * Nothing a socket opened stays open: not after a refused connect, a cancelled one, a close,
     * nor a failed bind (the socket then stays usable).
     */
    @Test
    void everyWayASocketEndsClosesItsDescriptor() {
        assertTimeoutPreemptively(LIMIT, () -> {
            // The refused port is held by a socket bound to it and not listening, for the whole
            // test: a free port could be taken by a listener this test binds (the selector closes
            // a registered listener's descriptor only at its next turn), and a connect to it was
            // then reset rather than refused.
            try (KyotoRuntime rt = Loopback.runtime(); SocketChannel hold = SocketChannel.open()) {
                Loopback.openJdkPreCloseDescriptor();
                hold.bind(new InetSocketAddress(loopback(false), 0));
                InetSocketAddress refused = (InetSocketAddress) hold.getLocalAddress();
                made(rt, false).close();
                long before = Loopback.openDescriptors();
                for (int i = 0; i < 50; i++) {
                    TcpSocket s = made(rt, false);
                    assertThrows(ConnectException.class, () -> rt.blockOn(s.connect(refused)));
                    TcpSocket closed = made(rt, false);
                    closed.setNoDelay(true);
                    closed.close();
                    closed.close();
                    TcpSocket cancelled = made(rt, false);
                    cancelled.connect(refused).cancel();
                    try (TcpListener holder = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                            TcpSocket clash = made(rt, false)) {
                        assertThrows(BindException.class, () -> clash.bind(holder.localAddress()));
                        clash.bind(new InetSocketAddress(loopback(false), 0));
                    }
                }
                assertEquals(before, Loopback.awaitDescriptors(rt, before), "descriptors after 50 rounds");
            }
        });
    }
}
