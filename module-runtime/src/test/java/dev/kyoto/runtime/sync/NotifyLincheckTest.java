package dev.kyoto.runtime.sync;

import static dev.kyoto.runtime.sync.Loom.blockOn;
import static dev.kyoto.runtime.sync.Loom.fork;
import static dev.kyoto.runtime.sync.Loom.model;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Model checks of {@link Notify}, Tokio's {@code loom_notify.rs} ported: every model ends with
 * each waiting thread completed (a lost wake-up is a deadlock Lincheck reports), and the ones
 * that count check that a notification is neither delivered twice nor lost, and that a cancelled
 * wait leaves no waiter queued.
 */
@Tag("lincheck")
class NotifyLincheckTest {

    /** Tokio's {@code notify_one}: a waiter and a concurrent notifyOne; the waiter completes. */
    @Test
    void notifyOneWakesAWaiterOrLeavesAPermit() {
        model(100, () -> {
            Notify notify = new Notify();
            Loom.Forked waiter = fork(() -> blockOn(notify.notified()));
            notify.notifyOne();
            waiter.join();
            assertEquals(0, notify.waiterCount());
        });
    }

    /** Tokio's {@code notify_waiters}: computations made before notifyWaiters complete, polled or not. */
    @Test
    void notifyWaitersCompletesEveryEarlierNotified() {
        model(100, () -> {
            Notify notify = new Notify();
            Async<Void> n1 = notify.notified();
            Async<Void> n2 = notify.notified();
            Loom.Forked th = fork(notify::notifyWaiters);
            blockOn(n1);
            blockOn(n2);
            th.join();
        });
    }

    /** Tokio's {@code notify_waiters_and_one}: a waiter completes whichever of the two reaches it. */
    @Test
    void notifyWaitersAndNotifyOneRace() {
        model(100, () -> {
            Notify notify = new Notify();
            Loom.Forked all = fork(notify::notifyWaiters);
            Loom.Forked one = fork(notify::notifyOne);
            blockOn(notify.notified());
            all.join();
            one.join();
        });
    }

    /** Tokio's {@code notify_multi}: each of two waiters passes the notification on to the next. */
    @Test
    void notificationPassedAlongAChain() {
        model(100, () -> {
            Notify notify = new Notify();
            Loom.Forked a = fork(() -> {
                blockOn(notify.notified());
                notify.notifyOne();
            });
            Loom.Forked b = fork(() -> {
                blockOn(notify.notified());
                notify.notifyOne();
            });
            notify.notifyOne();
            a.join();
            b.join();
            blockOn(notify.notified());
        });
    }

    /**
     * Tokio's {@code notify_drop}: a waiter polls once and gives up (cancels) while a notifyOne may
     * have chosen it; the notification must pass to the other waiter, which then notifies once
     * more for itself.
     */
    @Test
    void cancelledWaiterPassesItsNotificationOn() {
        model(100, () -> {
            Notify notify = new Notify();
            Loom.Forked quitter = fork(() -> {
                Async<Void> n = notify.notified();
                if (n.poll(new Context(new Loom.ParkingWaker())).isReady()) {
                    notify.notifyOne();
                } else {
                    n.cancel();
                }
            });
            Loom.Forked stayer = fork(() -> {
                blockOn(notify.notified());
                notify.notifyOne();
                blockOn(notify.notified());
            });
            notify.notifyOne();
            quitter.join();
            stayer.join();
            assertEquals(0, notify.waiterCount(), "a cancelled or completed wait left a waiter queued");
        });
    }

    /**
     * Tokio's {@code notify_waiters_poll_consistency}: notifyWaiters is atomic; if it completed the
     * first of two earlier computations, it completed the second too.
     */
    @Test
    void notifyWaitersIsSeenAtomically() {
        for (int polledFirst = 0; polledFirst < 4; polledFirst++) {
            boolean poll1 = (polledFirst & 1) != 0;
            boolean poll2 = (polledFirst & 2) != 0;
            model(50, () -> {
                Notify notify = new Notify();
                Async<Void> n1 = notify.notified();
                Async<Void> n2 = notify.notified();
                Context cx = new Context(new Loom.ParkingWaker());
                if (poll1) {
                    assertTrue(n1.poll(cx).isPending());
                }
                if (poll2) {
                    assertTrue(n2.poll(cx).isPending());
                }
                Loom.Forked th = fork(notify::notifyWaiters);
                Poll<Void> r1 = n1.poll(cx);
                Poll<Void> r2 = n2.poll(cx);
                assertTrue(r1.isPending() || r2.isReady(), "notifyWaiters completed the first waiter but not the second");
                th.join();
            });
        }
    }

    /**
     * Tokio's {@code notify_waiters_is_atomic}: once a waiter has seen notifyWaiters complete it,
     * that call is over for everyone; a notified() made afterwards waits for the next
     * notification, and takes the next notifyOne.
     */
    @Test
    void notifiedMadeAfterNotifyWaitersWasObservedWaitsForTheNext() {
        model(150, () -> {
            Notify notify = new Notify();
            Async<Void> n1 = notify.notified();
            Async<Void> n2 = notify.notified();
            Context cx = new Context(new Loom.ParkingWaker());
            assertTrue(n1.poll(cx).isPending());
            assertTrue(n2.poll(cx).isPending());
            Loom.Forked th = fork(notify::notifyWaiters);
            blockOn(n1);
            Async<Void> fresh = notify.notified();
            assertTrue(fresh.poll(cx).isPending(), "a notified() made after notifyWaiters was seen was completed by that call");
            notify.notifyOne();
            assertTrue(fresh.poll(cx).isReady(), "the notifyOne went to an older waiter");
            th.join();
        });
    }

    /**
     * Two queued waiters and two concurrent notifyOne calls: each waiter is woken exactly once and
     * completes, and no permit is left over (a third wait stays pending). One notifyOne delivered
     * twice would leave a waiter pending; one lost would leave a permit or a waiter.
     */
    @Test
    void twoNotifyOneCallsServeTwoWaitersExactlyOnce() {
        model(100, () -> {
            Notify notify = new Notify();
            Async<Void> n1 = notify.notified();
            Async<Void> n2 = notify.notified();
            Loom.ParkingWaker w1 = new Loom.ParkingWaker();
            Loom.ParkingWaker w2 = new Loom.ParkingWaker();
            assertTrue(n1.poll(new Context(w1)).isPending());
            assertTrue(n2.poll(new Context(w2)).isPending());
            Loom.Forked a = fork(notify::notifyOne);
            Loom.Forked b = fork(notify::notifyOne);
            a.join();
            b.join();
            assertEquals(1, w1.wakes(), "wakes of the first waiter");
            assertEquals(1, w2.wakes(), "wakes of the second waiter");
            assertTrue(n1.poll(new Context(w1)).isReady());
            assertTrue(n2.poll(new Context(w2)).isReady());
            assertTrue(notify.notified().poll(new Context(w1)).isPending(), "a permit was stored although both notifications were delivered");
        });
    }

    /**
     * A queued waiter cancels while notifyOne runs: the notification is stored as the permit
     * directly (the cancel came first) or chosen for the waiter and passed on by its cancel;
     * either way exactly one permit is left and no waiter is queued.
     */
    @Test
    void notifyOneRacingACancelLeavesThePermit() {
        model(100, () -> {
            Notify notify = new Notify();
            Async<Void> n = notify.notified();
            assertTrue(n.poll(new Context(new Loom.ParkingWaker())).isPending());
            Loom.Forked th = fork(notify::notifyOne);
            n.cancel();
            th.join();
            assertEquals(0, notify.waiterCount(), "the cancelled waiter is still queued");
            Context cx = new Context(new Loom.ParkingWaker());
            assertTrue(notify.notified().poll(cx).isReady(), "the notification was lost with the cancelled waiter");
            assertTrue(notify.notified().poll(cx).isPending(), "one notifyOne left two permits");
        });
    }
    /**
     * Two queued waiters; notifyLast runs while the newer one cancels. Whether the cancel came
     * first (notifyLast then picks the older) or notifyLast chose the newer and its cancel passed
     * the notification on, the older one is woken exactly once, completes, and no permit is left.
     */
    @Test
    void notifyLastRacingACancelOfTheNewestReachesTheNextNewest() {
        model(100, () -> {
            Notify notify = new Notify();
            Async<Void> older = notify.notified();
            Async<Void> newer = notify.notified();
            Loom.ParkingWaker w = new Loom.ParkingWaker();
            assertTrue(older.poll(new Context(w)).isPending());
            assertTrue(newer.poll(new Context(new Loom.ParkingWaker())).isPending());
            Loom.Forked th = fork(notify::notifyLast);
            newer.cancel();
            th.join();
            assertEquals(1, w.wakes(), "wakes of the older waiter");
            assertTrue(older.poll(new Context(w)).isReady());
            assertEquals(0, notify.waiterCount());
            assertTrue(notify.notified().poll(new Context(w)).isPending(), "one notifyLast left a permit as well");
        });
    }

    /** A notifyLast and a notifyOne racing over two queued waiters serve each exactly once. */
    @Test
    void notifyLastAndNotifyOneServeTwoWaitersExactlyOnce() {
        model(100, () -> {
            Notify notify = new Notify();
            Async<Void> n1 = notify.notified();
            Async<Void> n2 = notify.notified();
            Loom.ParkingWaker w1 = new Loom.ParkingWaker();
            Loom.ParkingWaker w2 = new Loom.ParkingWaker();
            assertTrue(n1.poll(new Context(w1)).isPending());
            assertTrue(n2.poll(new Context(w2)).isPending());
            Loom.Forked a = fork(notify::notifyLast);
            Loom.Forked b = fork(notify::notifyOne);
            a.join();
            b.join();
            assertEquals(1, w1.wakes(), "wakes of the first waiter");
            assertEquals(1, w2.wakes(), "wakes of the second waiter");
            assertTrue(notify.notified().poll(new Context(w1)).isPending(), "a permit was stored although both notifications were delivered");
        });
    }
}
