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
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kyoto.io.Ready;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * Peek semantics. The JDK has no {@code MSG_PEEK}: a peek takes the datagram off the socket and the
 * socket holds it for the next receive. These tests pin what that must still look like from
 * outside (Tokio's peek tests), and, white-box, that a task waiting to receive is woken when a peek
 * elsewhere takes a datagram the reactor will then never report.
 */
class UdpPeekTest {

    private static void run(UdpSocketTest.ThrowingBody body) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                body.run(rt);
            }
        });
    }

    /** Tokio's send_to_peek_from: two peeks, then a receive, all see the same datagram and sender. */
    @Test
    void sendToPeekFrom() {
        run(rt -> {
            UdpSocket sender = bindV4(rt);
            UdpSocket receiver = bindV4(rt);
            rt.blockOn(sender.sendTo(bytes(MSG), receiver.localAddress()));
            for (int i = 0; i < 2; i++) {
                ByteBuffer buf = ByteBuffer.allocate(32);
                assertEquals(sender.localAddress(), rt.blockOn(receiver.peekFrom(buf)));
                assertEquals(MSG, received(buf));
            }
            ByteBuffer buf = ByteBuffer.allocate(32);
            assertEquals(sender.localAddress(), rt.blockOn(receiver.recvFrom(buf)));
            assertEquals(MSG, received(buf));
            assertFalse(receiver.tryRecv(ByteBuffer.allocate(32)), "the peeked datagram was received once");
            sender.close();
            receiver.close();
        });
    }

    /** Tokio's send_to_try_peek_from. */
    @Test
    void sendToTryPeekFrom() {
        run(rt -> {
            UdpSocket sender = bindV4(rt);
            UdpSocket receiver = bindV4(rt);
            rt.blockOn(sender.sendTo(bytes(MSG), receiver.localAddress()));
            ByteBuffer buf = ByteBuffer.allocate(32);
            InetSocketAddress from;
            do {
                rt.blockOn(receiver.readable());
            } while ((from = receiver.tryPeekFrom(buf).orElse(null)) == null);
            assertEquals(sender.localAddress(), from);
            assertEquals(MSG, received(buf));
            assertEquals(Optional.of(sender.localAddress()), receiver.tryPeekFrom(buf.clear()));
            assertEquals(MSG, received(buf));
            assertEquals(Optional.of(sender.localAddress()), receiver.tryRecvFrom(buf.clear()));
            assertEquals(MSG, received(buf));
            sender.close();
            receiver.close();
        });
    }

    /** Tokio's send_to_peek_from_poll. */
    @Test
    void sendToPeekFromPoll() {
        run(rt -> {
            UdpSocket sender = bindV4(rt);
            UdpSocket receiver = bindV4(rt);
            rt.blockOn(sender.sendTo(bytes(MSG), receiver.localAddress()));
            ByteBuffer buf = ByteBuffer.allocate(32);
            assertEquals(sender.localAddress(), rt.blockOn(cx -> receiver.pollPeekFrom(cx, buf)));
            assertEquals(MSG, received(buf));
            buf.clear();
            assertEquals(sender.localAddress(), rt.blockOn(cx -> receiver.pollPeekFrom(cx, buf)));
            buf.clear();
            assertEquals(sender.localAddress(), rt.blockOn(cx -> receiver.pollRecvFrom(cx, buf)));
            assertEquals(MSG, received(buf));
            sender.close();
            receiver.close();
        });
    }

    /** Tokio's peek_sender: the sender without consuming the datagram. */
    @Test
    void peekSender() {
        run(rt -> {
            UdpSocket sender = bindV4(rt);
            UdpSocket receiver = bindV4(rt);
            rt.blockOn(sender.sendTo(bytes(MSG), receiver.localAddress()));
            assertEquals(sender.localAddress(), rt.blockOn(receiver.peekSender()));
            ByteBuffer buf = ByteBuffer.allocate(32);
            assertEquals(sender.localAddress(), rt.blockOn(receiver.recvFrom(buf)));
            assertEquals(MSG, received(buf));
            sender.close();
            receiver.close();
        });
    }

    /** A peek into a small buffer truncates only its copy: the receive still gets the whole datagram. */
    @Test
    void aPeekIntoASmallBufferDoesNotTruncateTheDatagram() {
        run(rt -> {
            UdpSocket sender = bindV4(rt);
            UdpSocket receiver = bindV4(rt);
            byte[] big = new byte[60_000];
            for (int i = 0; i < big.length; i++) {
                big[i] = (byte) i;
            }
            rt.blockOn(sender.sendTo(ByteBuffer.wrap(big), receiver.localAddress()));
            ByteBuffer small = ByteBuffer.allocate(4);
            assertEquals(4, rt.blockOn(receiver.peek(small)));
            assertEquals(ByteBuffer.wrap(big, 0, 4), small.flip());
            ByteBuffer all = ByteBuffer.allocate(65_536);
            assertEquals(big.length, rt.blockOn(receiver.recv(all)));
            assertEquals(ByteBuffer.wrap(big), all.flip());
            sender.close();
            receiver.close();
        });
    }

    /** The held datagram comes before those still in the socket, and each is received once. */
    @Test
    void theHeldDatagramIsReceivedFirstAndOnce() {
        run(rt -> {
            UdpSocket sender = bindV4(rt);
            UdpSocket receiver = bindV4(rt);
            rt.blockOn(sender.sendTo(bytes("first"), receiver.localAddress()));
            rt.blockOn(sender.sendTo(bytes("second"), receiver.localAddress()));
            ByteBuffer buf = ByteBuffer.allocate(32);
            assertEquals(5, rt.blockOn(receiver.peek(buf)));
            assertEquals("first", received(buf));
            assertEquals(5, rt.blockOn(receiver.recv(buf.clear())));
            assertEquals("first", received(buf));
            assertEquals(6, rt.blockOn(receiver.recv(buf.clear())));
            assertEquals("second", received(buf));
            sender.close();
            receiver.close();
        });
    }

    /**
     * While a datagram is held the socket counts as readable, though the socket itself is empty;
     * once it is received, a readable wait waits again.
     */
    @Test
    void aHeldDatagramMakesTheSocketReadable() {
        run(rt -> {
            UdpSocket sender = bindV4(rt);
            UdpSocket receiver = bindV4(rt);
            rt.blockOn(sender.sendTo(bytes(MSG), receiver.localAddress()));
            rt.blockOn(receiver.peekSender());
            assertTrue(rt.blockOn(receiver.readable()).isReadable());
            assertTrue(rt.blockOn(receiver.ready(dev.kyoto.io.Interest.READABLE)).isReadable());
            assertTrue(rt.blockOn(receiver::pollRecvReady).isReadable());
            ByteBuffer buf = ByteBuffer.allocate(32);
            assertTrue(receiver.tryRecv(buf));
            assertEquals(MSG, received(buf));
            assertFalse(receiver.tryRecv(buf.clear()), "the socket itself is empty");
            JoinHandle<Ready> readable = rt.spawn(receiver.readable());
            rt.blockOn(Async.yieldNow());
            assertFalse(readable.isFinished(), "nothing is held or queued any more");
            rt.blockOn(sender.sendTo(bytes(MSG), receiver.localAddress()));
            assertTrue(rt.blockOn(readable).isReadable());
            sender.close();
            receiver.close();
        });
    }

    /** Several tasks peeking at once all see the same datagram; the receive after them gets it. */
    @Test
    void concurrentPeeksSeeTheSameDatagram() {
        run(rt -> {
            UdpSocket receiver = bindV4(rt);
            List<JoinHandle<String>> peeks = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                ByteBuffer buf = ByteBuffer.allocate(32);
                peeks.add(rt.spawn(receiver.peek(buf).map(n -> text(buf, n))));
            }
            rt.blockOn(Async.yieldNow());
            UdpSocket sender = bindV4(rt);
            rt.blockOn(sender.sendTo(bytes(MSG), receiver.localAddress()));
            for (JoinHandle<String> p : peeks) {
                assertEquals(MSG, rt.blockOn(p));
            }
            ByteBuffer buf = ByteBuffer.allocate(32);
            rt.blockOn(receiver.recv(buf));
            assertEquals(MSG, received(buf));
            sender.close();
            receiver.close();
        });
    }

    /** Connecting discards the held datagram, as the JDK discards those queued in the socket. */
    @Test
    void connectingDiscardsTheHeldDatagram() {
        run(rt -> {
            UdpSocket stranger = bindV4(rt);
            UdpSocket peer = bindV4(rt);
            UdpSocket receiver = bindV4(rt);
            rt.blockOn(stranger.sendTo(bytes("stranger"), receiver.localAddress()));
            assertEquals(stranger.localAddress(), rt.blockOn(receiver.peekSender()));
            rt.blockOn(receiver.connect(peer.localAddress()));
            assertFalse(receiver.tryRecv(ByteBuffer.allocate(32)));
            rt.blockOn(peer.sendTo(bytes("peer"), receiver.localAddress()));
            ByteBuffer buf = ByteBuffer.allocate(32);
            rt.blockOn(receiver.recv(buf));
            assertEquals("peer", received(buf));
            stranger.close();
            peer.close();
            receiver.close();
        });
    }

    /** Closing discards the held datagram: nothing is received from a closed socket. */
    @Test
    void closingDiscardsTheHeldDatagram() {
        run(rt -> {
            UdpSocket sender = bindV4(rt);
            UdpSocket receiver = bindV4(rt);
            rt.blockOn(sender.sendTo(bytes(MSG), receiver.localAddress()));
            rt.blockOn(receiver.peekSender());
            receiver.close();
            assertEquals("socket closed", assertThrows(IOException.class, () -> receiver.tryRecv(ByteBuffer.allocate(8))).getMessage());
            assertEquals("socket closed", assertThrows(IOException.class, () -> rt.blockOn(receiver.recv(ByteBuffer.allocate(8)))).getMessage());
            assertEquals("socket closed", assertThrows(IOException.class, () -> rt.blockOn(receiver.readable())).getMessage());
            sender.close();
        });
    }

    /** A peek, like a receive, is woken by an ICMP refusal on a connected socket and fails. */
    @Test
    void aPeekIsWokenByAnIcmpRefusalAndFails() {
        run(rt -> {
            UdpSocket socket = bindV4(rt);
            rt.blockOn(socket.connect(Datagrams.closedPort()));
            JoinHandle<InetSocketAddress> peeking = rt.spawn(socket.peekSender());
            rt.blockOn(Async.yieldNow());
            rt.blockOn(socket.send(bytes(MSG)));
            assertInstanceOf(PortUnreachableException.class, assertThrows(IOException.class, () -> rt.blockOn(peeking)));
            socket.close();
        });
    }

    /**
     * The JDK path's channel, for the white-box tests of its peek slot. On a driver that owns its
     * sockets a peek is the kernel's, there is no slot, and those tests have nothing to test:
     * they run on the selector driver's execution of this suite.
     */
    private static ChannelUdp channelOf(UdpSocket socket) {
        assumeTrue(socket.handle instanceof ChannelUdp, "the peek slot is the JDK channel's; this driver peeks with MSG_PEEK");
        return (ChannelUdp) socket.handle;
    }

    private static PeekSlot peekSlot(UdpSocket socket) {
        return channelOf(socket).slot;
    }

    /** Every way a waiting receive ends (completes, is aborted, fails) leaves nothing queued with the slot. */
    @Test
    void finishedReceivesLeaveNothingQueuedWithTheSlot() {
        run(rt -> {
            UdpSocket receiver = bindV4(rt);
            PeekSlot slot = peekSlot(receiver);
            JoinHandle<Integer> first = rt.spawn(receiver.recv(ByteBuffer.allocate(8)));
            JoinHandle<Integer> aborted = rt.spawn(receiver.recv(ByteBuffer.allocate(8)));
            JoinHandle<Integer> second = rt.spawn(receiver.recv(ByteBuffer.allocate(8)));
            JoinHandle<Ready> readable = rt.spawn(receiver.readable());
            rt.blockOn(Async.yieldNow());
            assertEquals(4, slot.waiterCount(), "each waiting receive is queued with the slot");
            aborted.abort();
            rt.blockOn(Async.yieldNow());
            assertEquals(3, slot.waiterCount());
            UdpSocket sender = bindV4(rt);
            rt.blockOn(sender.sendTo(bytes(MSG), receiver.localAddress()));
            while (!first.isFinished() && !second.isFinished()) {
                rt.blockOn(Async.yieldNow());
            }
            rt.blockOn(Async.yieldNow());
            // One receive got the datagram; the other waits again. The readiness wait was woken
            // too, and waits again if it was polled after the readiness was cleared (a hint, not
            // a promise): which one depends on the order the tasks ran in.
            boolean readableDone = readable.isFinished();
            assertEquals(readableDone ? 1 : 2, slot.waiterCount());
            JoinHandle<Integer> stillWaiting = first.isFinished() ? second : first;
            receiver.close();
            assertEquals("socket closed", assertThrows(IOException.class, () -> rt.blockOn(stillWaiting)).getMessage());
            if (!readableDone) {
                assertEquals("socket closed", assertThrows(IOException.class, () -> rt.blockOn(readable)).getMessage());
            }
            assertEquals(0, slot.waiterCount(), "a failed receive or wait leaves nothing queued");
            sender.close();
        });
    }

    // White-box: the slot's wake-ups. Each test sets up, inside one poll of blockOn (so the reactor
    // does not turn in between), the interleaving two threads can produce: a receiver finds the
    // socket empty and clears its readiness; then a datagram arrives and a peek on another task
    // takes it into the slot before the reactor sees it. The reactor will never report that
    // datagram, so only the slot's own wake-up can tell the receiver.

    /** The multi-waiter receive ({@code recv}): woken by the slot, then completes with the held datagram. */
    @Test
    void aWaitingReceiveIsWokenWhenAPeekElsewhereTakesTheDatagram() {
        slotRace((socket, dst) -> socket.recv(dst)::poll, 3);
    }

    /** The multi-waiter readiness wait ({@code readable}). */
    @Test
    void aWaitingReadableIsWokenWhenAPeekElsewhereTakesTheDatagram() {
        slotRace((socket, dst) -> socket.readable()::poll, Ready.READABLE);
    }

    /** The single-slot receive ({@code pollRecvFrom}). */
    @Test
    void aPollingReceiveIsWokenWhenAPeekElsewhereTakesTheDatagram() {
        slotRace((socket, dst) -> cx -> socket.pollRecv(cx, dst), 3);
    }

    /** The single-slot readiness poll ({@code pollRecvReady}). */
    @Test
    void aPollingRecvReadyIsWokenWhenAPeekElsewhereTakesTheDatagram() {
        slotRace((socket, dst) -> socket::pollRecvReady, Ready.READABLE);
    }

    /** A poll function under test: polled with a counting waker. */
    @FunctionalInterface
    interface Polled<T> {
        Poll<T> poll(Context cx) throws Exception;
    }

    private static <T> void slotRace(BiFunction<UdpSocket, ByteBuffer, Polled<T>> waiting, T expected) {
        run(rt -> {
            UdpSocket socket = bindV4(rt);
            ChannelUdp channel = channelOf(socket);
            try (DatagramChannel peer = Datagrams.plainV4()) {
                peer.send(bytes("one"), socket.localAddress());
                rt.blockOn(socket.readable());
                AtomicInteger wakes = new AtomicInteger();
                Context counting = new Context(wakes::incrementAndGet);
                ByteBuffer dst = ByteBuffer.allocate(16);
                rt.blockOn(cx -> {
                    // Empty the socket without touching its readiness, which stays set.
                    assertTrue(socket.tryRecv(ByteBuffer.allocate(16)));
                    Polled<T> w = waiting.apply(socket, dst);
                    Poll<T> first = w.poll(counting);
                    if (first.isReady()) {
                        // A readiness wait completes on the stale readiness; a second wait after
                        // a would-block clear is the one that can be stranded.
                        assertEquals(Optional.empty(), socket.tryRecvFrom(ByteBuffer.allocate(16)));
                        w = waiting.apply(socket, dst);
                        first = w.poll(counting);
                    }
                    assertTrue(first.isPending(), "the socket is empty");
                    peer.send(bytes("two"), socket.localAddress());
                    // What a peek on another task does once the datagram is in the socket.
                    while (channel.slot.peek(channel.io.channel(), null) == null) {
                        Thread.onSpinWait();
                    }
                    // At least once: on a driver whose selector turns on a thread of its own
                    // (io_uring's companion), the datagram's readiness may wake the task too. On
                    // the selector driver nothing else turns while this poll runs, so there the
                    // wake can only be the slot's.
                    assertTrue(wakes.get() >= 1, "filling the slot wakes the waiting task");
                    assertEquals(Poll.ready(expected), w.poll(counting));
                    return Poll.ready(null);
                });
            }
            socket.close();
        });
    }
}
