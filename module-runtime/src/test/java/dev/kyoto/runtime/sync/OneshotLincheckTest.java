package dev.kyoto.runtime.sync;

import static dev.kyoto.runtime.sync.Loom.blockOn;
import static dev.kyoto.runtime.sync.Loom.fork;
import static dev.kyoto.runtime.sync.Loom.model;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Model checks of {@link Oneshot}, Tokio's {@code loom_oneshot.rs} ported: the value is delivered
 * exactly when the send returned true, each side's waiting task is woken when the other side acts
 * (including after it moved to another waker), and a close or cancel on one side is seen by the
 * other.
 */
@Tag("lincheck")
class OneshotLincheckTest {

    /** Tokio's {@code smoke}: a concurrent send reaches a waiting receiver. */
    @Test
    void sendReachesTheWaitingReceiver() {
        model(100, () -> {
            Oneshot.Channel<Integer> ch = Oneshot.channel();
            Loom.Forked tx = fork(() -> assertTrue(ch.sender().send(1)));
            assertEquals(1, blockOn(ch.receiver()));
            tx.join();
        });
    }

    /**
     * Tokio's {@code changing_rx_task}: the receiver is polled once by one task and, if still
     * pending, awaited by another with a different waker; the send must wake the second.
     */
    @Test
    void receiverMovesToAnotherTask() {
        model(100, () -> {
            Oneshot.Channel<Integer> ch = Oneshot.channel();
            Loom.Forked tx = fork(() -> ch.sender().send(1));
            boolean[] received = new boolean[1];
            Loom.Forked first = fork(() -> {
                Poll<Integer> p = ch.receiver().poll(new Context(new Loom.ParkingWaker()));
                if (p.isReady()) {
                    assertEquals(1, p.value());
                    received[0] = true;
                }
            });
            first.join();
            if (!received[0]) {
                assertEquals(1, blockOn(ch.receiver()));
            }
            tx.join();
        });
    }

    /**
     * Tokio's {@code recv_closed}: the receiver closes while the value is sent. Whatever the order,
     * the send's result tells the truth: true exactly when the receiver then gets the value.
     */
    @Test
    void receiverCloseRacingSendAgreesWithTheSendResult() {
        model(100, () -> {
            Oneshot.Channel<Integer> ch = Oneshot.channel();
            boolean[] delivered = new boolean[1];
            Loom.Forked tx = fork(() -> delivered[0] = ch.sender().send(1));
            ch.receiver().close();
            Integer got;
            try {
                got = blockOn(ch.receiver());
            } catch (ChannelClosedException e) {
                got = null;
            }
            tx.join();
            assertEquals(delivered[0], got != null, "send returned " + delivered[0] + " but the receiver got " + got);
        });
    }

    /** Closing the sender without a value wakes the waiting receiver, which fails. */
    @Test
    void senderCloseWakesTheReceiver() {
        model(100, () -> {
            Oneshot.Channel<Integer> ch = Oneshot.channel();
            Loom.Forked tx = fork(() -> ch.sender().close());
            try {
                blockOn(ch.receiver());
                throw new AssertionError("the receiver got a value nobody sent");
            } catch (ChannelClosedException expected) {
                // the close reached the receiver
            }
            tx.join();
        });
    }

    /**
     * Tokio's {@code changing_tx_task}: the sender waits in closed() with one waker, then another,
     * while the receiver closes; the last waiter is woken.
     */
    @Test
    void senderClosedMovesToAnotherTask() {
        model(100, () -> {
            Oneshot.Channel<Integer> ch = Oneshot.channel();
            Loom.Forked rx = fork(() -> ch.receiver().close());
            Async<Void> closed = ch.sender().closed();
            Poll<Void> first = closed.poll(new Context(new Loom.ParkingWaker()));
            if (first.isPending()) {
                blockOn(ch.sender().closed());
            }
            rx.join();
            assertTrue(ch.sender().isClosed());
        });
    }

    /**
     * A pending receiver is cancelled while the value is sent: the cancel tells the sender nobody
     * will take the value, wakes a sender waiting in closed(), and does not wake the cancelled
     * receiver's own task.
     */
    @Test
    void receiverCancelRacingSendWakesTheSenderNotTheReceiver() {
        model(100, () -> {
            Oneshot.Channel<Integer> ch = Oneshot.channel();
            Loom.ParkingWaker rxWaker = new Loom.ParkingWaker();
            assertTrue(ch.receiver().poll(new Context(rxWaker)).isPending());
            Loom.Forked tx = fork(() -> {
                blockOn(ch.sender().closed());
                assertFalse(ch.sender().send(1), "a value was delivered to a cancelled receiver");
            });
            ch.receiver().cancel();
            tx.join();
            assertEquals(0, rxWaker.wakes(), "the cancelled receiver's own task was woken");
        });
    }
}
