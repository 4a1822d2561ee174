package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kyoto.runtime.KyotoRuntime;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A failed bind or connect names the address that failed, as the connect timeout does, keeping
 * the JDK's exception type and its message (the JDK's own error is the cause), and leaves no
 * socket behind.
 */
class AddressedErrorsTest {
    private static final InetAddress V4 = InetAddress.ofLiteral("127.0.0.1");
    private static final InetAddress V6 = InetAddress.ofLiteral("::1");
    private static final Duration LIMIT = Duration.ofSeconds(30);

    @Test
    void bindingAPortInUseNamesTheAddress() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); TcpListener taken = rt.blockOn(TcpListener.bind("127.0.0.1:0"))) {
                int port = taken.localAddress().getPort();
                long fds = Loopback.openDescriptors();
                long regs = Released.registrations(rt);
                BindException e = assertThrows(BindException.class, () -> rt.blockOn(TcpListener.bind("127.0.0.1:" + port)));
                assertEquals("Address already in use: 127.0.0.1:" + port, e.getMessage());
                assertCauseIs(BindException.class, "Address already in use", e);
                Released.await(rt, fds, regs, "the socket that failed to bind is closed");
            }
        });
    }

    @Test
    void bindingAnIpv6PortInUseNamesTheAddressInBrackets() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); TcpListener taken = rt.blockOn(TcpListener.bind("[::1]:0"))) {
                int port = taken.localAddress().getPort();
                BindException e = assertThrows(BindException.class,
                        () -> rt.blockOn(TcpListener.bind(new InetSocketAddress(V6, port))));
                assertEquals("Address already in use: [::1]:" + port, e.getMessage());
            }
        });
    }

    @Test
    void aTcpSocketBindingAPortInUseNamesTheAddress() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); TcpListener taken = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                    TcpSocket socket = TcpSocket.newV4()) {
                InetSocketAddress address = taken.localAddress();
                BindException e = assertThrows(BindException.class, () -> socket.bind(address));
                assertEquals("Address already in use: 127.0.0.1:" + address.getPort(), e.getMessage());
                assertCauseIs(BindException.class, "Address already in use", e);
            }
        });
    }

    @Test
    void aUdpSocketBindingAPortInUseNamesTheAddress() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); UdpSocket taken = rt.blockOn(UdpSocket.bind("127.0.0.1:0"))) {
                int port = taken.localAddress().getPort();
                long fds = Loopback.openDescriptors();
                BindException e = assertThrows(BindException.class, () -> rt.blockOn(UdpSocket.bind("127.0.0.1:" + port)));
                assertEquals("Address already in use: 127.0.0.1:" + port, e.getMessage());
                assertEquals(fds, Loopback.openDescriptors(), "the socket that failed to bind is closed");
            }
        });
    }

    @Test
    void aRefusedConnectNamesTheAddress() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                InetSocketAddress refused = refused(V4);
                long fds = Loopback.openDescriptors();
                long regs = Released.registrations(rt);
                ConnectException e = assertThrows(ConnectException.class, () -> rt.blockOn(TcpStream.connect(refused)));
                assertEquals("Connection refused: 127.0.0.1:" + refused.getPort(), e.getMessage());
                assertCauseIs(ConnectException.class, "Connection refused", e);
                Released.await(rt, fds, regs, "the refused socket is closed");
            }
        });
    }

    @Test
    void aRefusedIpv6ConnectNamesTheAddressInBrackets() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                InetSocketAddress refused = refused(V6);
                ConnectException e = assertThrows(ConnectException.class, () -> rt.blockOn(TcpStream.connect(refused)));
                assertEquals("Connection refused: [::1]:" + refused.getPort(), e.getMessage());
            }
        });
    }

    /** A name is resolved first: the error names the address that refused, which the name alone would not tell. */
    @Test
    void aRefusedConnectToANameNamesTheAddressTried() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                int port = refused(V4).getPort();
                ConnectException e = assertThrows(ConnectException.class,
                        () -> rt.blockOn(TcpStream.connect("local.kyoto.test:" + port)));
                assertEquals("Connection refused: 127.0.0.1:" + port, e.getMessage());
            }
        });
    }

    @Test
    void aTcpSocketsRefusedConnectNamesTheAddress() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                InetSocketAddress refused = refused(V4);
                long fds = Loopback.openDescriptors();
                long regs = Released.registrations(rt);
                TcpSocket socket = TcpSocket.newV4();
                ConnectException e = assertThrows(ConnectException.class, () -> rt.blockOn(socket.connect(refused)));
                assertEquals("Connection refused: 127.0.0.1:" + refused.getPort(), e.getMessage());
                Released.await(rt, fds, regs, "the refused socket is closed");
            }
        });
    }

    /** The race's error already names each address; each attempt's own error names it too, once. */
    @Test
    void aConnectorsRefusedAttemptsNameTheirAddresses() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                InetSocketAddress r6 = refused(V6);
                InetSocketAddress r4 = refused(V4);
                ConnectException e = assertThrows(ConnectException.class,
                        () -> rt.blockOn(TcpConnector.builder().build().connect(List.of(r6, r4))));
                assertEquals("could not connect to " + List.of(r6, r4) + ": all 2 attempts failed (" + r6
                        + ": Connection refused; " + r4 + ": Connection refused)", e.getMessage());
                assertEquals("Connection refused: [::1]:" + r6.getPort(), e.getSuppressed()[0].getMessage());
                assertEquals("Connection refused: 127.0.0.1:" + r4.getPort(), e.getSuppressed()[1].getMessage());
            }
        });
    }

    /** Addresses are written as they are typed back: RFC 5952 for IPv6, no host name, no slash. */
    @Test
    void addressesAreWrittenAsHostAndPort() {
        assertEquals("127.0.0.1:80", hostAndPort("127.0.0.1", 80));
        assertEquals("[::1]:80", hostAndPort("::1", 80));
        assertEquals("[::]:0", hostAndPort("::", 0));
        assertEquals("[2001:db8::1:0:0:1]:443", hostAndPort("2001:db8:0:0:1:0:0:1", 443), "the first of two equal runs");
        assertEquals("[1:0:0:2::3]:443", hostAndPort("1:0:0:2:0:0:0:3", 443), "the longest run");
        assertEquals("[2001:db8:0:1:1:1:1:1]:443", hostAndPort("2001:db8:0:1:1:1:1:1", 443), "one zero group stays");
        assertEquals("[fe80::]:443", hostAndPort("fe80::", 443));
        assertEquals("local.kyoto.test:80", SocketAddresses.format(InetSocketAddress.createUnresolved("local.kyoto.test", 80)));
    }

    private static String hostAndPort(String literal, int port) {
        return SocketAddresses.format(new InetSocketAddress(InetAddress.ofLiteral(literal), port));
    }

    private static void assertCauseIs(Class<? extends IOException> type, String message, Throwable e) {
        assertInstanceOf(type, e.getCause(), "the JDK's own error is the cause");
        assertEquals(message, e.getCause().getMessage());
    }

    /** An address of {@code host}'s family on which nothing listens. */
    private static InetSocketAddress refused(InetAddress host) throws IOException {
        try (ServerSocketChannel ch = ServerSocketChannel.open()) {
            ch.bind(new InetSocketAddress(host, 0));
            return (InetSocketAddress) ch.getLocalAddress();
        }
    }
}
