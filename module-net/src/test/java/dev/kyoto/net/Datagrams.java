package dev.kyoto.net;

import dev.kyoto.runtime.KyotoRuntime;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;

/** Helpers shared by the UDP tests. */
final class Datagrams {
    /** Tokio's udp.rs message. */
    static final String MSG = "hello";

    private Datagrams() {
    }

    static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** The first {@code n} bytes of a heap buffer's array, as text. */
    static String text(ByteBuffer b, int n) {
        return new String(b.array(), b.arrayOffset(), n, StandardCharsets.US_ASCII);
    }

    /** What a buffer holds between 0 and its position, as text. */
    static String received(ByteBuffer b) {
        return text(b, b.position());
    }

    static UdpSocket bindV4(KyotoRuntime rt) throws Exception {
        return rt.blockOn(UdpSocket.bind("127.0.0.1:0"));
    }

    /** A loopback UDP address on which nothing is bound: bound once to learn a free port, then closed. */
    static InetSocketAddress closedPort() throws IOException {
        try (DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET)) {
            ch.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return (InetSocketAddress) ch.getLocalAddress();
        }
    }

    /** A plain blocking JDK socket on 127.0.0.1, a peer that is not Kyoto. */
    static DatagramChannel plainV4() throws IOException {
        DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
        ch.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return ch;
    }
}
