package dev.kyoto.runtime.task;

import static dev.kyoto.runtime.sync.Loom.blockOn;
import static dev.kyoto.runtime.sync.Loom.fork;
import static dev.kyoto.runtime.sync.Loom.model;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.sync.Loom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Model checks of {@link CancellationToken} and the drain of {@link TaskTracker}: cancel racing
 * {@code cancelled()}, {@code child()}, a child's own cancel and an abandoned wait. Every model
 * ends with each waiting thread completed (a lost wake-up is a deadlock Lincheck reports) and with
 * nothing left linked in the tree.
 */
@Tag("lincheck")
class CancellationTokenLincheckTest {

    /** A wait on the token and one on a child made concurrently: both complete. */
    @Test
    void cancelWakesAWaitAndAWaitOnAChildMadeConcurrently() {
        model(200, () -> {
            CancellationToken root = new CancellationToken();
            Loom.Forked onRoot = fork(() -> blockOn(root.cancelled()));
            Loom.Forked onChild = fork(() -> blockOn(root.child().cancelled()));
            root.cancel();
            onRoot.join();
            onChild.join();
            assertEquals(0, root.waiterCount(), "a wait is still linked");
            assertEquals(0, root.retainedChildren(), "a child is still in the cancelled parent");
        });
    }

    /** A grandchild made while the root is cancelled: it is cancelled with it, or born cancelled. */
    @Test
    void aGrandchildMadeDuringTheCancelIsCancelled() {
        model(200, () -> {
            CancellationToken root = new CancellationToken();
            Loom.Forked maker = fork(() -> {
                CancellationToken child = root.child();
                blockOn(child.child().cancelled());
                assertEquals(0, child.retainedChildren());
            });
            root.cancel();
            maker.join();
        });
    }

    /** A child cancelling itself while its parent is cancelled: the parent keeps no slot for it. */
    @Test
    void aChildsOwnCancelRacingItsParentsLeavesNoSlot() {
        model(200, () -> {
            CancellationToken root = new CancellationToken();
            CancellationToken a = root.child();
            CancellationToken b = root.child();
            Loom.Forked own = fork(a::cancel);
            Loom.Forked waiter = fork(() -> blockOn(b.cancelled()));
            root.cancel();
            own.join();
            waiter.join();
            assertTrue(a.isCancelled());
            assertEquals(0, root.retainedChildren());
        });
    }

    /** A child cancelling itself racing a sibling's birth: the sibling keeps its slot, the child loses its own. */
    @Test
    void aChildsOwnCancelRacingASiblingsBirth() {
        model(200, () -> {
            CancellationToken root = new CancellationToken();
            CancellationToken a = root.child();
            Loom.Forked own = fork(a::cancel);
            CancellationToken b = root.child();
            own.join();
            assertEquals(1, root.retainedChildren());
            root.cancel();
            assertTrue(b.isCancelled());
        });
    }

    /**
     * A pending wait abandoned (cancelled) while the token is cancelled: whichever comes first, no
     * waiter stays linked and the waker is woken at most once.
     */
    @Test
    void anAbandonedWaitRacingTheCancelLeavesNoWaiter() {
        model(200, () -> {
            CancellationToken root = new CancellationToken();
            Loom.ParkingWaker waker = new Loom.ParkingWaker();
            Async<Void> wait = root.cancelled();
            assertTrue(wait.poll(new Context(waker)).isPending());
            Loom.Forked canceller = fork(root::cancel);
            wait.cancel();
            canceller.join();
            assertEquals(0, root.waiterCount());
            assertTrue(waker.wakes() <= 1, "woken " + waker.wakes() + " times");
        });
    }

    /** The last tracked computation ending racing close, with a thread waiting on drained(). */
    @Test
    void theLastEndRacingCloseDrainsTheTrackerOnce() {
        model(200, () -> {
            TaskTracker tracker = new TaskTracker();
            Async<Integer> tracked = tracker.track(Async.ready(1));
            Loom.Forked waiter = fork(() -> {
                blockOn(tracker.drained());
                assertTrue(tracker.isClosed());
                assertEquals(0, tracker.size());
            });
            Loom.Forked ender = fork(() -> blockOn(tracked));
            tracker.close();
            ender.join();
            waiter.join();
        });
    }
}
