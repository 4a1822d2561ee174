package dev.kyoto.net;

import static dev.kyoto.net.Datagrams.MSG;
import static dev.kyoto.net.Datagrams.bindV4;
import static dev.kyoto.net.Datagrams.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.KyotoRuntime;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Bad input and misuse: each error names the problem and the fix. */
class UdpErrorsTest {

    private static void run(UdpSocketTest.ThrowingBody body) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                body.run(rt);
            }
        });
    }

    private static void assertMentions(Throwable e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "\"" + e.getMessage() + "\" should mention \"" + p + "\"");
        }
    }

    @Test
    void anInvalidPortOrAddressTextIsAnIllegalArgumentAtOnce() {
        assertMentions(assertThrows(IllegalArgumentException.class, () -> UdpSocket.bind("127.0.0.1:70000")), "70000", "0-65535");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> UdpSocket.bind("127.0.0.1")), "expected HOST:PORT");
        assertThrows(IllegalArgumentException.class, () -> new InetSocketAddress("127.0.0.1", -1));
    }

    @Test
    void sendingOrConnectingToPortZeroIsAnIllegalArgument() {
        run(rt -> {
            UdpSocket socket = bindV4(rt);
            InetSocketAddress zero = new InetSocketAddress("127.0.0.1", 0);
            assertMentions(assertThrows(IllegalArgumentException.class, () -> socket.sendTo(bytes(MSG), zero)), "port 0", "1-65535");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> socket.trySendTo(bytes(MSG), zero)), "port 0");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> socket.connect(zero)), "port 0");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> rt.blockOn(socket.sendTo(bytes(MSG), "localhost:0"))), "port 0");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> rt.blockOn(socket.connect("127.0.0.1:0"))), "port 0");
            socket.close();
        });
    }

    @Test
    void anIpv4SocketCannotReachAnIpv6AddressAndSaysWhatToBind() {
        run(rt -> {
            UdpSocket socket = bindV4(rt);
            InetSocketAddress v6 = new InetSocketAddress("::1", 9);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> socket.sendTo(bytes(MSG), v6));
            assertMentions(e, "IPv4 address /127.0.0.1", "IPv6 address /[0:0:0:0:0:0:0:1]:9", "[::1]:0", "[::]:0");
            assertThrows(IllegalArgumentException.class, () -> socket.connect(v6));
            assertThrows(IllegalArgumentException.class, () -> socket.trySendTo(bytes(MSG), v6));
            socket.close();
        });
    }

    @Test
    void anIpv6SocketOnASpecificAddressCannotReachIpv4() {
        run(rt -> {
            UdpSocket socket = rt.blockOn(UdpSocket.bind("[::1]:0"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> socket.sendTo(bytes(MSG), new InetSocketAddress("127.0.0.1", 9)));
            assertMentions(e, "IPv4 address /127.0.0.1:9", "127.0.0.1:0");
            // A name that resolves to IPv4 only fails the same way, after resolution.
            IllegalArgumentException named = assertThrows(IllegalArgumentException.class,
                    () -> rt.blockOn(socket.sendTo(bytes(MSG), "local.kyoto.test:9")));
            assertMentions(named, "cannot reach the IPv4 address");
            assertThrows(IllegalArgumentException.class, () -> rt.blockOn(socket.connect("local.kyoto.test:9")));
            socket.close();
        });
    }

    @Test
    void anIpv6WildcardSocketReachesIpv4Peers() {
        run(rt -> {
            UdpSocket dual = rt.blockOn(UdpSocket.bind("[::]:0"));
            UdpSocket v4 = bindV4(rt);
            rt.blockOn(dual.sendTo(bytes(MSG), v4.localAddress()));
            ByteBuffer buf = ByteBuffer.allocate(16);
            InetSocketAddress from = rt.blockOn(v4.recvFrom(buf));
            assertEquals(dual.localAddress().getPort(), from.getPort());
            dual.close();
            v4.close();
        });
    }

    @Test
    void aUnixDomainAddressIsRefusedWithThePointerToUnixDatagram() {
        run(rt -> {
            UnixDomainSocketAddress unix = UnixDomainSocketAddress.of("/tmp/kyoto-test.sock");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> UdpSocket.bind(unix)), "UnixDatagram", "io_uring", "UnixListener");
            UdpSocket socket = bindV4(rt);
            assertMentions(assertThrows(IllegalArgumentException.class, () -> socket.sendTo(bytes(MSG), unix)), "UnixDatagram", "UnixStream");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> socket.connect(unix)), "UnixDatagram");
            socket.close();
        });
    }

    /**
     * The reason UnixDatagram needs the io_uring driver: the JDK's DatagramChannel does not
     * support the UNIX family. If a future JDK adds it, this fails, and UnixDatagram can have a
     * JDK path on the selector driver too.
     */
    @Test
    void theJdkHasNoUnixDatagramChannel() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> DatagramChannel.open(StandardProtocolFamily.UNIX));
        assertEquals("Protocol family not supported", e.getMessage());
    }

    /** An address in use is a BindException, and the socket the failed bind opened is closed. */
    @Test
    void bindingAnAddressInUseIsABindExceptionAndLeaksNothing() {
        run(rt -> {
            UdpSocket first = bindV4(rt);
            String taken = "127.0.0.1:" + first.localAddress().getPort();
            assertThrows(BindException.class, () -> rt.blockOn(UdpSocket.bind(taken)));
            rt.blockOn(Async.yieldNow());
            long before = Loopback.openDescriptors();
            for (int i = 0; i < 50; i++) {
                assertThrows(BindException.class, () -> rt.blockOn(UdpSocket.bind(first.localAddress())));
            }
            assertEquals(before, Loopback.openDescriptors(), "a failed bind leaks no descriptor");
            assertEquals(1, rt.ioDriverMetrics().orElseThrow().registeredCount());
            first.close();
        });
    }

    /** As for TCP: a runtime built without I/O names the fix, and the socket opened for the bind is closed. */
    @Test
    void bindingOnARuntimeWithoutIoNamesTheFix() throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().build()) {
            long before = Loopback.openDescriptors();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> rt.blockOn(UdpSocket.bind("127.0.0.1:0")));
            assertMentions(e, "I/O is disabled", "enableIo()");
            assertEquals(before, Loopback.openDescriptors());
        }
    }

    @Test
    void sendNeedsAConnectedSocket() {
        run(rt -> {
            UdpSocket socket = bindV4(rt);
            assertMentions(assertThrows(IllegalStateException.class, () -> rt.blockOn(socket.send(bytes(MSG)))), "connect(address)", "sendTo");
            assertThrows(IllegalStateException.class, () -> socket.trySend(bytes(MSG)));
            assertMentions(assertThrows(IllegalStateException.class, socket::peerAddress), "not connected", "connect(address)");
            socket.close();
        });
    }

    /** The JDK sends nothing for an empty buffer on a connected socket; Kyoto says so instead of losing it. */
    @Test
    void anEmptyDatagramOnAConnectedSocketIsAnIllegalArgument() {
        run(rt -> {
            UdpSocket socket = bindV4(rt);
            UdpSocket peer = bindV4(rt);
            rt.blockOn(socket.connect(peer.localAddress()));
            assertMentions(assertThrows(IllegalArgumentException.class, () -> socket.send(ByteBuffer.allocate(0))), "empty datagram", "sendTo");
            assertThrows(IllegalArgumentException.class, () -> socket.trySend(ByteBuffer.allocate(0)));
            assertThrows(IllegalArgumentException.class, () -> rt.blockOn(socket.sendTo(ByteBuffer.allocate(0), peer.localAddress())));
            socket.close();
            peer.close();
        });
    }

    @Test
    void aConnectedSocketSendsOnlyToItsPeer() {
        run(rt -> {
            UdpSocket socket = bindV4(rt);
            UdpSocket peer = bindV4(rt);
            UdpSocket other = bindV4(rt);
            rt.blockOn(socket.connect(peer.localAddress()));
            assertMentions(assertThrows(IllegalStateException.class, () -> rt.blockOn(socket.sendTo(bytes(MSG), other.localAddress()))),
                    "connected to", "use send");
            assertEquals(MSG.length(), rt.blockOn(socket.sendTo(bytes(MSG), peer.localAddress())));
            socket.close();
            peer.close();
            other.close();
        });
    }

    @Test
    void anUnresolvedAddressNeedsTheResolvingSend() {
        run(rt -> {
            UdpSocket socket = bindV4(rt);
            InetSocketAddress unresolved = InetSocketAddress.createUnresolved("localhost", 9);
            assertMentions(assertThrows(IllegalArgumentException.class, () -> socket.trySendTo(bytes(MSG), unresolved)), "Dns.lookup", "sendTo");
            socket.close();
        });
    }

    @Test
    void aNameThatResolvesToNothingHasNoAddressToSendTo() {
        run(rt -> {
            UdpSocket socket = bindV4(rt);
            IOException e = assertThrows(IOException.class, () -> rt.blockOn(socket.sendTo(bytes(MSG), "no-such-host.kyoto.test:9")));
            assertTrue(e instanceof java.net.UnknownHostException, e.toString());
            socket.close();
        });
    }

    @Test
    void optionValuesOutOfRangeAndLeavingAGroupNotJoined() {
        run(rt -> {
            UdpSocket socket = bindV4(rt);
            assertMentions(assertThrows(IllegalArgumentException.class, () -> socket.setMulticastTtl(256)), "0-255");
            NetworkInterface lo = NetworkInterface.getByInetAddress(InetAddress.getLoopbackAddress());
            assertMentions(assertThrows(IllegalStateException.class,
                    () -> socket.leaveMulticast(InetAddress.getByName("239.255.42.98"), lo)), "not a member", "joinMulticast");
            socket.close();
        });
    }
}
