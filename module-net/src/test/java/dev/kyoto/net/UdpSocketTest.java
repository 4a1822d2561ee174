package dev.kyoto.net;

import static dev.kyoto.net.Datagrams.MSG;
import static dev.kyoto.net.Datagrams.bindV4;
import static dev.kyoto.net.Datagrams.bytes;
import static dev.kyoto.net.Datagrams.received;
import static dev.kyoto.net.Datagrams.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.sync.Mpsc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Tokio's {@code tests/udp.rs}, the behaviours that apply on the JDK, on real loopback sockets. */
class UdpSocketTest {

    private static void run(ThrowingBody body) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                body.run(rt);
            }
        });
    }

    @FunctionalInterface
    interface ThrowingBody {
        void run(KyotoRuntime rt) throws Exception;
    }

    /** Tokio's send_recv: a connected pair. */
    @Test
    void sendRecv() {
        run(rt -> {
            UdpSocket sender = bindV4(rt);
            UdpSocket receiver = bindV4(rt);
            rt.blockOn(sender.connect(receiver.localAddress()));
            rt.blockOn(receiver.connect(sender.localAddress()));
            assertEquals(MSG.length(), rt.blockOn(sender.send(bytes(MSG))));
            ByteBuffer buf = ByteBuffer.allocate(32);
            int n = rt.blockOn(receiver.recv(buf));
            assertEquals(MSG, text(buf, n));
            assertEquals(receiver.localAddress(), sender.peerAddress());
            sender.close();
            receiver.close();
        });
    }

    /** Tokio's send_recv_poll: the same through the single-slot poll methods. */
    @Test
    void sendRecvPoll() {
        run(rt -> {
            UdpSocket sender = bindV4(rt);
            UdpSocket receiver = bindV4(rt);
            rt.blockOn(sender.connect(receiver.localAddress()));
            rt.blockOn(receiver.connect(sender.localAddress()));
            ByteBuffer out = bytes(MSG);
            assertEquals(MSG.length(), rt.<Integer>blockOn(cx -> sender.pollSend(cx, out)));
            ByteBuffer buf = ByteBuffer.allocate(32);
            int n = rt.blockOn(cx -> receiver.pollRecv(cx, buf));
            assertEquals(MSG, text(buf, n));
            sender.close();
            receiver.close();
        });
    }

    /** Tokio's send_to_recv_from: the sender's address is reported. */
    @Test
    void sendToRecvFrom() {
        run(rt -> {
            UdpSocket sender = bindV4(rt);
            UdpSocket receiver = bindV4(rt);
            assertEquals(MSG.length(), rt.blockOn(sender.sendTo(bytes(MSG), receiver.localAddress())));
            ByteBuffer buf = ByteBuffer.allocate(32);
            InetSocketAddress from = rt.blockOn(receiver.recvFrom(buf));
            assertEquals(MSG, received(buf));
            assertEquals(sender.localAddress(), from);
            sender.close();
            receiver.close();
        });
    }

    /** Tokio's send_to_recv_from_poll. */
    @Test
    void sendToRecvFromPoll() {
        run(rt -> {
            UdpSocket sender = bindV4(rt);
            UdpSocket receiver = bindV4(rt);
            InetSocketAddress to = receiver.localAddress();
            ByteBuffer out = bytes(MSG);
            rt.blockOn(cx -> sender.pollSendTo(cx, out, to));
            ByteBuffer buf = ByteBuffer.allocate(32);
            InetSocketAddress from = rt.blockOn(cx -> receiver.pollRecvFrom(cx, buf));
            assertEquals(MSG, received(buf));
            assertEquals(sender.localAddress(), from);
            sender.close();
            receiver.close();
        });
    }

    @Test
    void sendRecvOverIpv6Loopback() {
        run(rt -> {
            UdpSocket sender = rt.blockOn(UdpSocket.bind("[::1]:0"));
            UdpSocket receiver = rt.blockOn(UdpSocket.bind("[::1]:0"));
            rt.blockOn(sender.sendTo(bytes(MSG), receiver.localAddress()));
            ByteBuffer buf = ByteBuffer.allocate(32);
            assertEquals(sender.localAddress(), rt.blockOn(receiver.recvFrom(buf)));
            assertEquals(MSG, received(buf));
            sender.close();
            receiver.close();
        });
    }

    /**
     * A name is resolved on the blocking pool and the first address of the socket's family is
     * used: refused-first.kyoto.test lists ::1 before 127.0.0.1, and an IPv4 socket skips ::1.
     */
    @Test
    void sendToAHostNameUsesTheFirstAddressOfTheSocketsFamily() {
        run(rt -> {
            UdpSocket sender = bindV4(rt);
            UdpSocket receiver = bindV4(rt);
            int port = receiver.localAddress().getPort();
            rt.blockOn(sender.sendTo(bytes(MSG), "refused-first.kyoto.test:" + port));
            rt.blockOn(sender.sendTo(bytes("again"), InetSocketAddress.createUnresolved("localhost", port)));
            ByteBuffer buf = ByteBuffer.allocate(32);
            rt.blockOn(receiver.recvFrom(buf));
            assertEquals(MSG, received(buf));
            rt.blockOn(receiver.recvFrom(buf.clear()));
            assertEquals("again", received(buf));
            rt.blockOn(sender.connect("local.kyoto.test:" + port));
            assertEquals(receiver.localAddress(), sender.peerAddress());
            sender.close();
            receiver.close();
        });
    }

    /**
     * Tokio's send_to_recv_closed_returns_err, on a connected socket (Linux reports ICMP errors only
     * to connected UDP sockets): the port-unreachable reply wakes the pending receive, which fails
     * with an IOException instead of waiting forever.
     */
    @Test
    void aReceiveIsWokenByAnIcmpRefusalAndFails() {
        run(rt -> {
            UdpSocket socket = bindV4(rt);
            rt.blockOn(socket.connect(Datagrams.closedPort()));
            JoinHandle<Integer> receiving = rt.spawn(socket.recv(ByteBuffer.allocate(32)));
            rt.blockOn(Async.yieldNow());
            assertFalse(receiving.isFinished(), "nothing was sent yet");
            rt.blockOn(socket.send(bytes(MSG)));
            IOException e = assertThrows(IOException.class, () -> rt.blockOn(receiving));
            assertInstanceOf(PortUnreachableException.class, e);
            socket.close();
        });
    }

    /** Tokio's split: one socket shared by a sending task and a receiving task. */
    @Test
    void oneSocketSharedByASendingAndAReceivingTask() {
        run(rt -> {
            UdpSocket socket = bindV4(rt);
            InetSocketAddress self = socket.localAddress();
            JoinHandle<InetSocketAddress> receiving = rt.spawn(socket.recvFrom(ByteBuffer.allocate(32)));
            JoinHandle<Integer> sending = rt.spawn(socket.sendTo(bytes(MSG), self));
            assertEquals(self, rt.blockOn(receiving));
            assertEquals(MSG.length(), rt.blockOn(sending));
            socket.close();
        });
    }

    /** Tokio's split_chan: an echo server made of a receiving task and a sending task joined by a channel. */
    @Test
    void echoThroughAChannelBetweenAReceivingAndASendingTask() {
        run(rt -> {
            UdpSocket server = bindV4(rt);
            Mpsc.Channel<Object[]> ch = Mpsc.bounded(1000);
            rt.spawn(forward(ch.receiver(), server));
            rt.spawn(receiveInto(server, ch.sender()));
            UdpSocket client = bindV4(rt);
            for (int i = 0; i < 100; i++) {
                String m = MSG + i;
                rt.blockOn(client.sendTo(bytes(m), server.localAddress()));
                ByteBuffer buf = ByteBuffer.allocate(32);
                assertEquals(server.localAddress(), rt.blockOn(client.recvFrom(buf)));
                assertEquals(m, received(buf));
            }
            client.close();
            server.close();
        });
    }

    private static Async<Void> receiveInto(UdpSocket socket, Mpsc.Sender<Object[]> tx) {
        ByteBuffer buf = ByteBuffer.allocate(32);
        return socket.recvFrom(buf).then(from -> {
            byte[] copy = java.util.Arrays.copyOf(buf.array(), buf.position());
            return tx.send(new Object[] {copy, from});
        }).then(v -> receiveInto(socket, tx));
    }

    private static Async<Void> forward(Mpsc.Receiver<Object[]> rx, UdpSocket socket) {
        return rx.recv().then(m -> socket.sendTo(ByteBuffer.wrap((byte[]) m[0]), (InetSocketAddress) m[1]))
                .then(n -> forward(rx, socket));
    }

    /** Tokio's try_send_spawn: trySendTo, trySend, and trySend from another OS thread. */
    @Test
    void trySendFromATaskAndFromAnotherThread() {
        run(rt -> {
            String msg2 = "world!";
            UdpSocket sender = bindV4(rt);
            UdpSocket receiver = bindV4(rt);
            rt.blockOn(receiver.connect(sender.localAddress()));
            rt.blockOn(sender.writable());
            assertTrue(sender.trySendTo(bytes(MSG), receiver.localAddress()));
            ByteBuffer buf = ByteBuffer.allocate(32);
            int total = rt.blockOn(receiver.recv(buf));
            rt.blockOn(sender.connect(receiver.localAddress()));
            assertTrue(sender.trySend(bytes(msg2)));
            total += rt.blockOn(receiver.recv(buf.clear()));
            AtomicReference<Object> fromThread = new AtomicReference<>();
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    fromThread.set(sender.trySend(bytes(MSG)));
                } catch (IOException e) {
                    fromThread.set(e);
                }
            });
            t.join();
            assertEquals(Boolean.TRUE, fromThread.get());
            total += rt.blockOn(receiver.recv(buf.clear()));
            assertEquals(MSG.length() * 2 + msg2.length(), total);
            sender.close();
            receiver.close();
        });
    }

    /** Tokio's try_send_recv: writable then trySend, readable then tryRecv, retrying when they find nothing. */
    @Test
    void trySendRecvAfterReadiness() {
        run(rt -> {
            UdpSocket server = bindV4(rt);
            UdpSocket client = bindV4(rt);
            rt.blockOn(server.connect(client.localAddress()));
            rt.blockOn(client.connect(server.localAddress()));
            for (int i = 0; i < 5; i++) {
                do {
                    rt.blockOn(client.writable());
                } while (!client.trySend(bytes("hello world")));
                ByteBuffer buf = ByteBuffer.allocate(512);
                do {
                    rt.blockOn(server.readable());
                } while (!server.tryRecv(buf));
                assertEquals("hello world", received(buf));
            }
            server.close();
            client.close();
        });
    }

    /** Tokio's try_send_to_recv_from. */
    @Test
    void trySendToRecvFromAfterReadiness() {
        run(rt -> {
            UdpSocket server = bindV4(rt);
            UdpSocket client = bindV4(rt);
            for (int i = 0; i < 5; i++) {
                do {
                    rt.blockOn(client.writable());
                } while (!client.trySendTo(bytes("hello world"), server.localAddress()));
                ByteBuffer buf = ByteBuffer.allocate(512);
                InetSocketAddress from;
                do {
                    rt.blockOn(server.readable());
                } while ((from = server.tryRecvFrom(buf).orElse(null)) == null);
                assertEquals("hello world", received(buf));
                assertEquals(client.localAddress(), from);
            }
            server.close();
            client.close();
        });
    }

    /** Tokio's poll_ready: the single-slot readiness polls, then try operations. */
    @Test
    void pollSendReadyAndPollRecvReady() {
        run(rt -> {
            UdpSocket server = bindV4(rt);
            UdpSocket client = bindV4(rt);
            for (int i = 0; i < 5; i++) {
                do {
                    assertTrue(rt.blockOn(client::pollSendReady).isWritable());
                } while (!client.trySendTo(bytes("hello world"), server.localAddress()));
                ByteBuffer buf = ByteBuffer.allocate(512);
                InetSocketAddress from;
                do {
                    assertTrue(rt.blockOn(server::pollRecvReady).isReadable());
                } while ((from = server.tryRecvFrom(buf).orElse(null)) == null);
                assertEquals("hello world", received(buf));
                assertEquals(client.localAddress(), from);
            }
            server.close();
            client.close();
        });
    }

    /** A try on a socket with nothing to receive says so, and a readable wait then really waits. */
    @Test
    void tryRecvOnAnEmptySocketReturnsNothingAndReadableWaits() {
        run(rt -> {
            UdpSocket socket = bindV4(rt);
            assertFalse(socket.tryRecv(ByteBuffer.allocate(8)));
            assertEquals(Optional.empty(), socket.tryRecvFrom(ByteBuffer.allocate(8)));
            assertEquals(Optional.empty(), socket.tryPeekFrom(ByteBuffer.allocate(8)));
            JoinHandle<?> readable = rt.spawn(socket.readable());
            rt.blockOn(Async.yieldNow());
            assertFalse(readable.isFinished());
            try (DatagramChannel peer = Datagrams.plainV4()) {
                peer.send(bytes(MSG), socket.localAddress());
            }
            assertTrue(((dev.kyoto.io.Ready) rt.blockOn(readable)).isReadable());
            assertTrue(socket.tryRecv(ByteBuffer.allocate(8)));
            socket.close();
        });
    }

    /** Tokio's recv_buf: a receive appends at the buffer's position, leaving what is before it. */
    @Test
    void aReceiveWritesAtTheBuffersPosition() {
        run(rt -> {
            UdpSocket sender = bindV4(rt);
            UdpSocket receiver = bindV4(rt);
            rt.blockOn(sender.sendTo(bytes(MSG), receiver.localAddress()));
            ByteBuffer buf = ByteBuffer.allocate(32);
            buf.put(bytes(">>"));
            assertEquals(MSG.length(), rt.blockOn(receiver.recv(buf)));
            assertEquals(">>" + MSG, received(buf));
            sender.close();
            receiver.close();
        });
    }

    /**
     * A datagram larger than the buffer's room is truncated, as the JDK does: the buffer is filled,
     * the rest is gone, and the next receive gets the next datagram whole.
     */
    @Test
    void aDatagramLargerThanTheBufferIsTruncated() {
        run(rt -> {
            UdpSocket sender = bindV4(rt);
            UdpSocket receiver = bindV4(rt);
            rt.blockOn(sender.sendTo(bytes("hello world"), receiver.localAddress()));
            rt.blockOn(sender.sendTo(bytes("second"), receiver.localAddress()));
            ByteBuffer small = ByteBuffer.allocate(5);
            assertEquals(5, rt.blockOn(receiver.recv(small)));
            assertEquals("hello", received(small));
            ByteBuffer big = ByteBuffer.allocate(64);
            assertEquals(6, rt.blockOn(receiver.recv(big)));
            assertEquals("second", received(big));
            rt.blockOn(sender.sendTo(bytes("third"), receiver.localAddress()));
            assertEquals(0, rt.blockOn(receiver.recv(ByteBuffer.allocate(0))), "no room: the whole datagram is discarded");
            sender.close();
            receiver.close();
        });
    }

    /** A socket that is not connected sends and receives empty datagrams, as Tokio does. */
    @Test
    void anEmptyDatagramIsSentAndReceivedBySocketsThatAreNotConnected() {
        run(rt -> {
            UdpSocket sender = bindV4(rt);
            UdpSocket receiver = bindV4(rt);
            assertEquals(0, rt.blockOn(sender.sendTo(ByteBuffer.allocate(0), receiver.localAddress())));
            ByteBuffer buf = ByteBuffer.allocate(8);
            assertEquals(sender.localAddress(), rt.blockOn(receiver.recvFrom(buf)));
            assertEquals(0, buf.position());
            sender.close();
            receiver.close();
        });
    }

    /** Several tasks receiving on one socket each get their own datagram; none is lost or duplicated. */
    @Test
    void severalTasksReceivingOnOneSocketEachGetADatagram() {
        run(rt -> {
            UdpSocket receiver = bindV4(rt);
            List<JoinHandle<String>> tasks = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                ByteBuffer buf = ByteBuffer.allocate(16);
                tasks.add(rt.spawn(receiver.recv(buf).map(n -> text(buf, n))));
            }
            rt.blockOn(Async.yieldNow());
            UdpSocket sender = bindV4(rt);
            for (int i = 0; i < 10; i++) {
                rt.blockOn(sender.sendTo(bytes("d" + i), receiver.localAddress()));
            }
            List<String> got = new ArrayList<>();
            for (JoinHandle<String> t : tasks) {
                got.add(rt.blockOn(t));
            }
            got.sort(null);
            assertEquals(List.of("d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9"), got);
            sender.close();
            receiver.close();
        });
    }

    /** Closing the socket wakes a pending receive, which fails with "socket closed", as do later ones. */
    @Test
    void closeFailsPendingAndLaterOperationsWithSocketClosed() {
        run(rt -> {
            UdpSocket socket = bindV4(rt);
            JoinHandle<Integer> pending = rt.spawn(socket.recv(ByteBuffer.allocate(8)));
            JoinHandle<?> waiting = rt.spawn(socket.readable());
            rt.blockOn(Async.yieldNow());
            socket.close();
            assertEquals("socket closed", assertThrows(IOException.class, () -> rt.blockOn(pending)).getMessage());
            assertEquals("socket closed", assertThrows(IOException.class, () -> rt.blockOn(waiting)).getMessage());
            assertEquals("socket closed", assertThrows(IOException.class, () -> rt.blockOn(socket.recv(ByteBuffer.allocate(8)))).getMessage());
            assertEquals("socket closed", assertThrows(IOException.class, () -> socket.tryRecv(ByteBuffer.allocate(8))).getMessage());
            assertEquals("socket closed", assertThrows(IOException.class,
                    () -> rt.blockOn(socket.sendTo(bytes(MSG), new InetSocketAddress("127.0.0.1", 9)))).getMessage());
            socket.close();
        });
    }

    /** A cancelled receive leaves nothing behind: the next datagram goes to the next receive. */
    @Test
    void anAbortedReceiveDoesNotTakeADatagram() {
        run(rt -> {
            UdpSocket receiver = bindV4(rt);
            JoinHandle<Integer> abandoned = rt.spawn(receiver.recv(ByteBuffer.allocate(8)));
            rt.blockOn(Async.yieldNow());
            abandoned.abort();
            rt.blockOn(Async.yieldNow());
            UdpSocket sender = bindV4(rt);
            rt.blockOn(sender.sendTo(bytes(MSG), receiver.localAddress()));
            ByteBuffer buf = ByteBuffer.allocate(8);
            rt.blockOn(receiver.recv(buf));
            assertEquals(MSG, received(buf));
            sender.close();
            receiver.close();
        });
    }

    @Test
    void toStringNamesTheAddresses() {
        run(rt -> {
            UdpSocket socket = bindV4(rt);
            String port = Integer.toString(socket.localAddress().getPort());
            assertEquals("UdpSocket[127.0.0.1:" + port + "]", socket.toString());
            rt.blockOn(socket.connect("127.0.0.1:9"));
            assertEquals("UdpSocket[127.0.0.1:" + port + " -> 127.0.0.1:9]", socket.toString());
            socket.close();
            assertEquals("UdpSocket[127.0.0.1:" + port + " -> 127.0.0.1:9]", socket.toString(), "the addresses it had");
        });
    }
}
