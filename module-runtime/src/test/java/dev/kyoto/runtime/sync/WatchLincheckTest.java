package dev.kyoto.runtime.sync;

import static dev.kyoto.runtime.sync.Loom.blockOn;
import static dev.kyoto.runtime.sync.Loom.fork;
import static dev.kyoto.runtime.sync.Loom.model;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Model checks of {@link Watch}, Tokio's {@code loom_watch.rs} ported: every receiver waiting
 * in changed() is woken by a send or the close, sees the values in order (skipping is allowed,
 * going back is not), and a cancelled changed() leaves no waiter queued.
 */
@Tag("lincheck")
class WatchLincheckTest {

    /** Tokio's {@code smoke}: one send wakes every receiver waiting for it. */
    @Test
    void sendWakesEveryReceiver() {
        model(100, () -> {
            Watch.Channel<Integer> ch = Watch.channel(1);
            Watch.Receiver<Integer> rx1 = ch.receiver();
            Watch.Receiver<Integer> rx2 = ch.sender().subscribe();
            Watch.Receiver<Integer> rx3 = ch.sender().subscribe();
            Loom.Forked tx = fork(() -> ch.sender().send(2));
            Loom.Forked other = fork(() -> assertEquals(2, blockOn(rx2.changed())));
            assertEquals(2, blockOn(rx1.changed()));
            assertEquals(2, blockOn(rx3.changed()));
            tx.join();
            other.join();
            assertEquals(0, rx1.waiterCount());
        });
    }

    /**
     * Tokio's {@code wait_for_returns_correct_value}, for Kyoto's changed(): a receiver following
     * three sends sees increasing values and reaches the last one.
     */
    @Test
    void receiverFollowsSendsInOrderToTheLast() {
        model(100, () -> {
            Watch.Channel<Integer> ch = Watch.channel(0);
            Loom.Forked tx = fork(() -> {
                ch.sender().send(1);
                ch.sender().send(2);
                ch.sender().send(3);
            });
            int last = 0;
            while (last != 3) {
                int now = blockOn(ch.receiver().changed());
                assertTrue(now > last, "saw " + now + " after " + last);
                last = now;
            }
            tx.join();
        });
    }

    /**
     * A send then the close, racing a waiting receiver: the close wakes it, and it fails only
     * after it has seen the value sent before the close.
     */
    @Test
    void closeRightAfterASendStillDeliversTheValue() {
        model(150, () -> {
            Watch.Channel<Integer> ch = Watch.channel(0);
            Loom.Forked tx = fork(() -> {
                ch.sender().send(1);
                ch.sender().close();
            });
            int seen = 0;
            try {
                for (;;) {
                    seen = blockOn(ch.receiver().changed());
                }
            } catch (ChannelClosedException expected) {
                assertEquals(1, ch.receiver().get());
            }
            tx.join();
            assertEquals(1, seen, "the receiver missed the value sent before the close");
        });
    }

    /**
     * A changed() polled once and cancelled while a send runs: it leaves no waiter queued, and the
     * send is not lost for the receiver (hasChanged tells).
     */
    @Test
    void cancelledChangedLeavesNoWaiter() {
        model(100, () -> {
            Watch.Channel<Integer> ch = Watch.channel(0);
            Async<Integer> changed = ch.receiver().changed();
            boolean pending = changed.poll(new Context(new Loom.ParkingWaker())).isPending();
            assertTrue(pending);
            Loom.Forked tx = fork(() -> ch.sender().send(1));
            changed.cancel();
            tx.join();
            assertEquals(0, ch.receiver().waiterCount(), "a cancelled changed() is still queued");
            assertTrue(ch.receiver().hasChanged());
            assertEquals(1, blockOn(ch.receiver().changed()));
        });
    }
}
