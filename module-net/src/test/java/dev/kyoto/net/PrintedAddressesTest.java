package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.KyotoRuntime;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Addresses as users print them (issue 16): {@code HOST:PORT}, IPv6 in brackets and compressed,
 * never {@link InetSocketAddress#toString()}'s {@code /127.0.0.1:7000}; and the addresses of a
 * stream, listener or socket are there without a checked exception, also once it is closed.
 */
class PrintedAddressesTest {

    private interface Body {
        void run(KyotoRuntime rt) throws Exception;
    }

    private static void run(Body body) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                body.run(rt);
            }
        });
    }

    @Test
    void listenersAndStreamsPrintHostAndPort() {
        run(rt -> {
            TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
            int port = listener.localAddress().getPort();
            assertEquals("TcpListener[127.0.0.1:" + port + "]", listener.toString());
            TcpStream client = rt.blockOn(TcpStream.connect(listener.localAddress()));
            TcpStream server = rt.blockOn(listener.accept());
            int clientPort = client.localAddress().getPort();
            assertEquals("TcpStream[127.0.0.1:" + clientPort + " -> 127.0.0.1:" + port + "]", client.toString());
            assertEquals("TcpStream[127.0.0.1:" + port + " -> 127.0.0.1:" + clientPort + "]", server.toString());
            client.close();
            server.close();
            listener.close();
        });
    }

    @Test
    void ipv6IsPrintedInBracketsAndCompressed() {
        run(rt -> {
            TcpListener listener = rt.blockOn(TcpListener.bind("[::1]:0"));
            int port = listener.localAddress().getPort();
            assertEquals("TcpListener[[::1]:" + port + "]", listener.toString());
            UdpSocket socket = rt.blockOn(UdpSocket.bind("[::1]:0"));
            rt.blockOn(socket.connect("[::1]:" + port));
            assertEquals("UdpSocket[[::1]:" + socket.localAddress().getPort() + " -> [::1]:" + port + "]", socket.toString());
            socket.close();
            listener.close();
        });
    }

    @Test
    void theAddressesOutliveTheSocket() {
        run(rt -> {
            TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
            InetSocketAddress bound = listener.localAddress();
            TcpStream client = rt.blockOn(TcpStream.connect(bound));
            TcpStream server = rt.blockOn(listener.accept());
            InetSocketAddress clientLocal = client.localAddress();
            String printed = client.toString();
            client.close();
            server.close();
            listener.close();
            assertEquals(bound, listener.localAddress(), "a closed listener still says where it listened");
            assertEquals(bound, client.peerAddress(), "a closed stream still names its peer, for the log line about it");
            assertEquals(clientLocal, client.localAddress());
            assertEquals(clientLocal, server.peerAddress());
            assertEquals(printed, client.toString());
            assertEquals("TcpListener[127.0.0.1:" + bound.getPort() + "]", listener.toString());
        });
    }

    /** A UDP socket bound to the wildcard address gets a specific one when it connects; it says so. */
    @Test
    void aConnectedUdpSocketReportsTheAddressTheSystemChose() {
        run(rt -> {
            UdpSocket peer = rt.blockOn(UdpSocket.bind("127.0.0.1:0"));
            UdpSocket socket = rt.blockOn(UdpSocket.bind("0.0.0.0:0"));
            assertTrue(socket.localAddress().getAddress().isAnyLocalAddress(), socket.toString());
            rt.blockOn(socket.connect(peer.localAddress()));
            assertEquals("127.0.0.1", socket.localAddress().getAddress().getHostAddress(), socket.toString());
            assertEquals(peer.localAddress(), socket.peerAddress());
            socket.close();
            peer.close();
            assertEquals(peer.localAddress(), socket.peerAddress(), "after close, the peer it had");
        });
    }
}
