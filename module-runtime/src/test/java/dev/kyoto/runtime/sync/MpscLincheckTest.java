package dev.kyoto.runtime.sync;

import static dev.kyoto.runtime.sync.Loom.blockOn;
import static dev.kyoto.runtime.sync.Loom.fork;
import static dev.kyoto.runtime.sync.Loom.model;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import java.util.ArrayDeque;
import java.util.Optional;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Model checks of {@link Mpsc} (with {@code MpscChannel}, {@code MpscQueue} and the capacity
 * {@link Semaphore}), Tokio's {@code loom_mpsc.rs} ported: the receiver is woken for every
 * message and for the end, a waiting sender for a free slot and for the receiver's close,
 * a cancelled send leaves no waiter and no lost slot, and a message sent before something
 * happens-before a receive is there to receive.
 */
@Tag("lincheck")
class MpscLincheckTest {

    // ---------------------------------------------------------------- linearizability

    /**
     * trySend from any thread and tryRecv from the receiver's, unbounded: on a bounded channel a
     * send in progress holds its slot before its message is queued, so "full" may count a message
     * that no sequential order has queued yet; that is the documented meaning of a reserved slot,
     * not a defect, and it is left out here.
     */
    public static class TrySendTryRecv {
        private final Mpsc.Channel<Integer> channel = Mpsc.unbounded();

        @Operation
        public boolean trySend(int value) throws ChannelClosedException {
            return channel.sender().trySend(value);
        }

        @Operation(nonParallelGroup = "receiver")
        public Integer tryRecv() throws ChannelClosedException {
            return channel.receiver().tryRecv().orElse(null);
        }
    }

    /** The sequential model of {@link TrySendTryRecv}: a FIFO. */
    public static class TrySendTryRecvModel {
        private final ArrayDeque<Integer> buffer = new ArrayDeque<>();

        public boolean trySend(int value) {
            buffer.add(value);
            return true;
        }

        public Integer tryRecv() {
            return buffer.poll();
        }
    }

    /**
     * The non-waiting operations are linearizable to a FIFO: in particular tryRecv never
     * says "nothing yet" about a send that completed before it (tokio#2020).
     */
    @Test
    void trySendAndTryRecvAreLinearizable() {
        new ModelCheckingOptions()
                .sequentialSpecification(TrySendTryRecvModel.class)
                .threads(3)
                .actorsBefore(1)
                .actorsPerThread(2)
                .actorsAfter(1)
                .iterations(3 * Loom.SCALE)
                .invocationsPerIteration(150)
                .check(TrySendTryRecv.class);
    }

    // ---------------------------------------------------------------- loom's models

    /** Tokio's {@code closing_tx}: a message then the end reach the waiting receiver, bounded. */
    @Test
    void messageThenEndReachTheReceiverBounded() {
        messageThenEnd(true);
    }

    /** Tokio's {@code closing_unbounded_tx}: the same, unbounded. */
    @Test
    void messageThenEndReachTheReceiverUnbounded() {
        messageThenEnd(false);
    }

    private static void messageThenEnd(boolean bounded) {
        model(100, () -> {
            Mpsc.Channel<Integer> ch = bounded ? Mpsc.bounded(16) : Mpsc.unbounded();
            Loom.Forked tx = fork(() -> {
                assertTrue(ch.sender().trySend(1));
                ch.sender().close();
            });
            assertEquals(1, blockOn(ch.receiver().recv()));
            assertNull(blockOn(ch.receiver().recv()));
            tx.join();
        });
    }

    /** Tokio's {@code dropping_tx}: three sender handles closed on three threads end the channel. */
    @Test
    void lastSenderCloseEndsTheChannel() {
        model(100, () -> {
            Mpsc.Channel<Integer> ch = Mpsc.bounded(16);
            Mpsc.Sender<Integer> tx2 = ch.sender().copy();
            Mpsc.Sender<Integer> tx3 = ch.sender().copy();
            Loom.Forked a = fork(tx2::close);
            Loom.Forked b = fork(tx3::close);
            ch.sender().close();
            assertNull(blockOn(ch.receiver().recv()));
            a.join();
            b.join();
        });
    }

    /**
     * Tokio's {@code closing_bounded_rx}, for Kyoto's senders: a sender waiting for a slot in a full
     * channel is woken by the receiver's close and fails; what was sent is still received.
     */
    @Test
    void receiverCloseWakesAWaitingSender() {
        model(100, () -> {
            Mpsc.Channel<Integer> ch = Mpsc.bounded(1);
            assertTrue(ch.sender().trySend(0));
            Loom.Forked rx = fork(() -> ch.receiver().close());
            assertThrows(ChannelClosedException.class, () -> blockOn(ch.sender().send(1)));
            rx.join();
            assertEquals(Optional.of(0), ch.receiver().tryRecv());
            assertThrows(ChannelClosedException.class, () -> ch.receiver().tryRecv());
        });
    }

    /** Backpressure: a sender waits for the slot the receiver frees, twice, in order. */
    @Test
    void waitingSenderIsWokenByTheReceive() {
        model(100, () -> {
            Mpsc.Channel<Integer> ch = Mpsc.bounded(1);
            Loom.Forked tx = fork(() -> {
                blockOn(ch.sender().send(1));
                blockOn(ch.sender().send(2));
                ch.sender().close();
            });
            assertEquals(1, blockOn(ch.receiver().recv()));
            assertEquals(2, blockOn(ch.receiver().recv()));
            assertNull(blockOn(ch.receiver().recv()));
            tx.join();
        });
    }

    /**
     * A send waiting on a full channel is cancelled while the receiver frees the slot: the send
     * either completed (its message is there) or left nothing behind: no queued waiter, and the
     * slot it may have been handed is free again.
     */
    @Test
    void cancelledSendLeavesNoWaiterAndNoLostSlot() {
        model(100, () -> {
            Mpsc.Channel<Integer> ch = Mpsc.bounded(1);
            assertTrue(ch.sender().trySend(0));
            boolean[] sent = new boolean[1];
            Loom.Forked tx = fork(() -> {
                Async<Void> send = ch.sender().send(1);
                if (send.poll(new Context(new Loom.ParkingWaker())).isReady()) {
                    sent[0] = true;
                } else {
                    send.cancel();
                }
            });
            assertEquals(0, blockOn(ch.receiver().recv()));
            tx.join();
            assertEquals(0, ch.sender().waitingSenders(), "a cancelled send is still queued");
            assertEquals(sent[0] ? Optional.of(1) : Optional.empty(), ch.receiver().tryRecv());
            assertTrue(ch.sender().trySend(2), "the slot is lost");
        });
    }

    /**
     * A permit reserved before the receiver closes still delivers its message; one refused by
     * the close delivers nothing; either way the receiver then sees the end.
     */
    @Test
    void reservationRacingReceiverClose() {
        model(100, () -> {
            Mpsc.Channel<Integer> ch = Mpsc.bounded(1);
            boolean[] sent = new boolean[1];
            Loom.Forked tx = fork(() -> {
                Mpsc.Permit<Integer> permit;
                try {
                    permit = blockOn(ch.sender().reserve());
                } catch (ChannelClosedException e) {
                    return;
                }
                permit.send(7);
                sent[0] = true;
            });
            ch.receiver().close();
            tx.join();
            if (sent[0]) {
                assertEquals(7, blockOn(ch.receiver().recv()));
            }
            assertNull(blockOn(ch.receiver().recv()));
        });
    }

    /**
     * Tokio's {@code try_recv} property (tokio#2020): a send that completed before a receive
     * started is visible to it, even while another sender's send is still in progress.
     */
    @Test
    void tryRecvSeesASendThatHappenedBefore() {
        model(150, () -> {
            Mpsc.Channel<Integer> ch = Mpsc.unbounded();
            Mpsc.Sender<Integer> other = ch.sender().copy();
            Loom.Forked a = fork(() -> other.trySend(1));
            Loom.Forked b = fork(() -> ch.sender().trySend(2));
            b.join();
            assertTrue(ch.receiver().tryRecv().isPresent(), "a message sent before this receive is not there");
            a.join();
        });
    }
}
