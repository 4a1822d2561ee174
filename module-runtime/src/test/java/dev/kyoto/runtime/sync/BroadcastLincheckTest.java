package dev.kyoto.runtime.sync;

import static dev.kyoto.runtime.sync.Loom.blockOn;
import static dev.kyoto.runtime.sync.Loom.fork;
import static dev.kyoto.runtime.sync.Loom.model;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Model checks of {@link Broadcast}, after Tokio's {@code loom_broadcast.rs}: a receiver waiting
 * in recv() is woken by every send and by the close of the last sender (a lost wake-up is a
 * deadlock Lincheck reports); what it receives plus what it is told it missed is what was sent;
 * a closed receiver or a cancelled recv leaves nothing behind.
 */
@Tag("lincheck")
class BroadcastLincheckTest {

    /** Tokio's {@code broadcast_send}, smaller: two senders, two receivers, each sees both values. */
    @Test
    void twoSendersTwoReceiversEachSeeBothValues() {
        model(100, () -> {
            Broadcast.Channel<Integer> ch = Broadcast.channel(2);
            Broadcast.Receiver<Integer> rx2 = ch.sender().subscribe();
            Broadcast.Sender<Integer> tx2 = ch.sender().copy();
            Loom.Forked a = fork(() -> ch.sender().send(1));
            Loom.Forked b = fork(() -> tx2.send(2));
            Loom.Forked other = fork(() -> assertEquals(3, blockOn(rx2.recv()) + blockOn(rx2.recv())));
            assertEquals(3, blockOn(ch.receiver().recv()) + blockOn(ch.receiver().recv()));
            a.join();
            b.join();
            other.join();
            assertEquals(0, rx2.heldValues(), "values every receiver received are still held");
        });
    }

    /**
     * Tokio's {@code broadcast_two}: a ring of one, two sends racing a receiver; it receives what
     * it can and is told of the rest, so received plus missed is 2, and values come in order.
     */
    @Test
    void aLaggingReceiverAccountsForEveryValue() {
        model(150, () -> {
            Broadcast.Channel<Integer> ch = Broadcast.channel(1);
            Loom.Forked tx = fork(() -> {
                ch.sender().send(1);
                ch.sender().send(2);
                ch.sender().close();
            });
            long received = 0;
            long missed = 0;
            int last = 0;
            for (;;) {
                try {
                    int v = blockOn(ch.receiver().recv());
                    assertTrue(v > last, "received " + v + " after " + last);
                    last = v;
                    received++;
                } catch (Broadcast.LaggedException e) {
                    missed += e.missed();
                } catch (ChannelClosedException e) {
                    break;
                }
            }
            tx.join();
            assertEquals(2, received + missed);
            assertEquals(2, last, "the last value sent before the close was not received");
        });
    }

    /** Tokio's {@code drop_rx}: a receiver closes while a value is sent; nothing stays held for it. */
    @Test
    void aReceiverClosingWhileAValueIsSentHoldsNothingBack() {
        model(100, () -> {
            Broadcast.Channel<String> ch = Broadcast.channel(2);
            Broadcast.Receiver<String> stays = ch.sender().subscribe();
            Loom.Forked tx = fork(() -> ch.sender().send("v"));
            ch.receiver().close();
            tx.join();
            assertEquals(Optional.of("v"), stays.tryRecv());
            assertEquals(0, stays.heldValues(), "the closed receiver still holds the value back");
        });
    }

    /** The last sender closes while a receiver waits: it is woken and sees the end. */
    @Test
    void closingTheLastSenderWakesAWaitingReceiver() {
        model(100, () -> {
            Broadcast.Channel<String> ch = Broadcast.channel(2);
            Loom.Forked tx = fork(() -> ch.sender().close());
            try {
                blockOn(ch.receiver().recv());
                throw new AssertionError("received a value nobody sent");
            } catch (ChannelClosedException expected) {
                // the end
            }
            tx.join();
            assertEquals(0, ch.receiver().waiterCount());
        });
    }

    /** A recv polled once and cancelled while a send runs leaves no waiter and loses no value. */
    @Test
    void aCancelledRecvLeavesNoWaiterAndLosesNoValue() {
        model(100, () -> {
            Broadcast.Channel<String> ch = Broadcast.channel(2);
            Async<String> recv = ch.receiver().recv();
            assertTrue(recv.poll(new Context(new Loom.ParkingWaker())).isPending());
            Loom.Forked tx = fork(() -> ch.sender().send("v"));
            recv.cancel();
            tx.join();
            assertEquals(0, ch.receiver().waiterCount(), "a cancelled recv is still queued");
            assertEquals(Optional.of("v"), ch.receiver().tryRecv());
        });
    }
}
