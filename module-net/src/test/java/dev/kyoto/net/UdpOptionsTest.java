package dev.kyoto.net;

import static dev.kyoto.net.Datagrams.MSG;
import static dev.kyoto.net.Datagrams.bindV4;
import static dev.kyoto.net.Datagrams.bytes;
import static dev.kyoto.net.Datagrams.received;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.KyotoRuntime;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.nio.channels.MembershipKey;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Tokio's option tests (each value round-trips, starting from a different default), and multicast over loopback. */
class UdpOptionsTest {

    private static void run(UdpSocketTest.ThrowingBody body) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                body.run(rt);
            }
        });
    }

    @Test
    void broadcast() {
        run(rt -> {
            UdpSocket s = bindV4(rt);
            assertFalse(s.broadcast());
            s.setBroadcast(true);
            assertTrue(s.broadcast());
            s.close();
        });
    }

    @Test
    void multicastLoopV4() {
        run(rt -> {
            UdpSocket s = bindV4(rt);
            assertTrue(s.multicastLoop());
            s.setMulticastLoop(false);
            assertFalse(s.multicastLoop());
            s.close();
        });
    }

    @Test
    void multicastLoopV6() {
        run(rt -> {
            UdpSocket s = rt.blockOn(UdpSocket.bind("[::1]:0"));
            assertTrue(s.multicastLoop());
            s.setMulticastLoop(false);
            assertFalse(s.multicastLoop());
            s.close();
        });
    }

    @Test
    void multicastTtlV4() {
        run(rt -> {
            UdpSocket s = bindV4(rt);
            assertEquals(1, s.multicastTtl());
            s.setMulticastTtl(42);
            assertEquals(42, s.multicastTtl());
            s.close();
        });
    }

    /** Tokio's tos_v4 (96). */
    @Test
    void tosV4() {
        run(rt -> {
            UdpSocket s = bindV4(rt);
            assertNotEquals(96, s.tos());
            s.setTos(96);
            assertEquals(96, s.tos());
            s.close();
        });
    }

    /** Tokio's tclass_v6 (96): on an IPv6 socket the JDK's IP_TOS is the traffic class. */
    @Test
    void tclassV6() {
        run(rt -> {
            UdpSocket s = rt.blockOn(UdpSocket.bind("[::1]:0"));
            assertNotEquals(96, s.tos());
            s.setTos(96);
            assertEquals(96, s.tos());
            s.close();
        });
    }

    /**
     * The system may adjust a requested size (Linux doubles SO_SNDBUF's for its bookkeeping, and
     * the JDK reports SO_RCVBUF's as requested), but never below what was asked here.
     */
    @Test
    void bufferSizes() {
        run(rt -> {
            UdpSocket s = bindV4(rt);
            int send = s.sendBufferSize();
            int recv = s.recvBufferSize();
            s.setSendBufferSize(4096);
            assertTrue(s.sendBufferSize() >= 4096 && s.sendBufferSize() != send, "send buffer " + s.sendBufferSize());
            s.setRecvBufferSize(4096);
            assertTrue(s.recvBufferSize() >= 4096 && s.recvBufferSize() != recv, "receive buffer " + s.recvBufferSize());
            s.close();
        });
    }

    @Test
    void multicastInterface() {
        run(rt -> {
            UdpSocket s = bindV4(rt);
            NetworkInterface lo = NetworkInterface.getByInetAddress(InetAddress.getLoopbackAddress());
            assertEquals(Optional.empty(), s.multicastInterface(), "the system chooses until told");
            s.setMulticastInterface(lo);
            assertEquals(Optional.of(lo), s.multicastInterface());
            s.close();
        });
    }

    /**
     * A multicast datagram on the loopback interface only: the receiver joins the group on the
     * loopback interface and is bound to the group address, the sender on 127.0.0.1 sends from the
     * loopback interface, so nothing reaches another interface. After leaving, the group's
     * datagrams no longer arrive.
     */
    @Test
    void multicastSendAndReceiveOverLoopback() {
        run(rt -> {
            NetworkInterface lo = NetworkInterface.getByInetAddress(InetAddress.getLoopbackAddress());
            assertNotNull(lo, "the loopback interface");
            InetAddress group = InetAddress.getByName("239.255.42.99");
            UdpSocket receiver = rt.blockOn(UdpSocket.bind(new InetSocketAddress(group, 0)));
            MembershipKey key = receiver.joinMulticast(group, lo);
            assertEquals(group, key.group());
            UdpSocket sender = bindV4(rt);
            sender.setMulticastInterface(lo);
            InetSocketAddress target = new InetSocketAddress(group, receiver.localAddress().getPort());
            rt.blockOn(sender.sendTo(bytes(MSG), target));
            ByteBuffer buf = ByteBuffer.allocate(16);
            assertEquals(sender.localAddress(), rt.blockOn(receiver.recvFrom(buf)));
            assertEquals(MSG, received(buf));

            receiver.leaveMulticast(group, lo);
            assertFalse(key.isValid());
            rt.blockOn(sender.sendTo(bytes("gone"), target));
            // Joined again, the next datagram is the first to arrive: the one sent while not a
            // member was dropped, not merely late (both take the same loopback path, in order).
            receiver.joinMulticast(group, lo);
            rt.blockOn(sender.sendTo(bytes("back"), target));
            rt.blockOn(receiver.recvFrom(buf.clear()));
            assertEquals("back", received(buf));
            receiver.close();
            sender.close();
        });
    }
}
