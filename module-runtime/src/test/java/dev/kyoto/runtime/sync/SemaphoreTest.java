package dev.kyoto.runtime.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SemaphoreTest {

    @Test
    void acquireTakesPermitsAndClosingThePermitGivesThemBack() throws Exception {
        Semaphore s = new Semaphore(5);
        Semaphore.Permit p = Probe.of(s.acquire(3)).ready();
        assertEquals(3, p.count());
        assertEquals(2, s.availablePermits());
        p.close();
        p.close();
        assertEquals(0, p.count());
        assertEquals(5, s.availablePermits(), "closing twice gives the permits back once");
    }

    @Test
    void tryAcquireTakesOnlyWhatIsAvailable() throws Exception {
        Semaphore s = new Semaphore(2);
        Optional<Semaphore.Permit> two = s.tryAcquire(2);
        assertTrue(two.isPresent());
        assertTrue(s.tryAcquire().isEmpty());
        two.get().close();
        assertTrue(s.tryAcquire(3).isEmpty(), "never more than there are");
        assertEquals(2, s.availablePermits());
    }

    @Test
    void aWaiterIsWokenOnceEnoughPermitsAreReleasedEvenAFewAtATime() throws Exception {
        Semaphore s = new Semaphore(1);
        Probe<Semaphore.Permit> big = Probe.of(s.acquire(3)).pending();
        assertEquals(0, s.availablePermits(), "the waiter took the one permit towards its three");
        s.addPermits(1);
        assertFalse(big.woken());
        assertEquals(0, s.availablePermits());
        s.addPermits(2);
        assertEquals(1, big.wakes());
        assertEquals(1, s.availablePermits(), "the surplus goes to the count");
        assertEquals(3, big.ready().count());
    }

    @Test
    void waitersAreServedInTheOrderTheyQueuedEvenWhenALaterOneAsksForLess() throws Exception {
        Semaphore s = new Semaphore(0);
        Probe<Semaphore.Permit> first = Probe.of(s.acquire(2)).pending();
        Probe<Semaphore.Permit> second = Probe.of(s.acquire(1)).pending();
        s.addPermits(1);
        assertFalse(second.woken(), "a later, smaller request does not overtake the head");
        assertTrue(s.tryAcquire().isEmpty(), "nor does tryAcquire");
        Probe<Semaphore.Permit> third = Probe.of(s.acquire(1)).pending();
        s.addPermits(1);
        assertTrue(first.woken());
        assertFalse(second.woken());
        s.addPermits(2);
        assertTrue(second.woken());
        assertTrue(third.woken());
        assertEquals(2, first.ready().count());
        assertEquals(1, second.ready().count());
        assertEquals(1, third.ready().count());
        assertEquals(0, s.waiterCount());
    }

    @Test
    void aReleaseServesWaitersThenTheCount() throws Exception {
        Semaphore s = new Semaphore(1);
        Semaphore.Permit held = s.tryAcquire().orElseThrow();
        Probe<Semaphore.Permit> waiter = Probe.of(s.acquire()).pending();
        held.close();
        assertTrue(waiter.woken());
        assertEquals(0, s.availablePermits(), "the released permit went to the waiter, not the count");
        waiter.ready().close();
        assertEquals(1, s.availablePermits());
    }

    @Test
    void closeFailsEveryWaiterAndEveryLaterAcquisition() throws Exception {
        Semaphore s = new Semaphore(2);
        Semaphore.Permit held = s.tryAcquire(1).orElseThrow();
        Probe<Semaphore.Permit> a = Probe.of(s.acquire(3)).pending();
        Probe<Semaphore.Permit> b = Probe.of(s.acquire(1)).pending();
        s.close();
        s.close();
        assertTrue(s.isClosed());
        assertEquals(1, a.wakes());
        assertEquals(1, b.wakes());
        SemaphoreClosedException e = assertThrows(SemaphoreClosedException.class, a::poll);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(SemaphoreClosedException.class, b::poll);
        assertThrows(SemaphoreClosedException.class, () -> Probe.of(s.acquire()).poll());
        assertThrows(SemaphoreClosedException.class, s::tryAcquire);
        assertEquals(0, s.waiterCount());
        assertEquals(1, s.availablePermits(), "the permit a had taken towards its three went back");
        held.close();
        assertEquals(2, s.availablePermits(), "permits handed out before the close still go back");
    }

    @Test
    void anAcquisitionServedBeforeTheCloseStillCompletes() throws Exception {
        Semaphore s = new Semaphore(0);
        Probe<Semaphore.Permit> waiter = Probe.of(s.acquire()).pending();
        s.addPermits(1);
        s.close();
        assertEquals(1, waiter.ready().count());
    }

    @Test
    void cancellingAQueuedWaiterLeavesTheSemaphoreAsIfItNeverWaited() throws Exception {
        Semaphore s = new Semaphore(1);
        Semaphore.Permit held = s.tryAcquire().orElseThrow();
        Probe<Semaphore.Permit> waiter = Probe.of(s.acquire()).pending();
        assertEquals(1, s.waiterCount());
        waiter.cancel();
        assertEquals(0, s.waiterCount(), "its node left the queue");
        held.close();
        assertEquals(1, s.availablePermits(), "the released permit was not handed to the cancelled waiter");
        assertFalse(waiter.woken());
        assertTrue(s.tryAcquire().isPresent(), "no waiter flag left behind: the fast path works again");
    }

    @Test
    void cancellingAPartlyServedWaiterGivesItsPermitsToTheNextOne() throws Exception {
        Semaphore s = new Semaphore(2);
        Probe<Semaphore.Permit> big = Probe.of(s.acquire(3)).pending();
        Probe<Semaphore.Permit> small = Probe.of(s.acquire(2)).pending();
        big.cancel();
        assertTrue(small.woken(), "the two permits big had taken serve the next waiter");
        assertEquals(2, small.ready().count());
        assertEquals(0, s.availablePermits());
        assertEquals(0, s.waiterCount());
    }

    @Test
    void cancellingAPartlyServedLastWaiterReturnsItsPermitsToTheCount() throws Exception {
        Semaphore s = new Semaphore(2);
        Probe<Semaphore.Permit> big = Probe.of(s.acquire(3)).pending();
        assertEquals(0, s.availablePermits());
        big.cancel();
        assertEquals(2, s.availablePermits());
        assertEquals(0, s.waiterCount());
    }

    @Test
    void cancellingAServedButUnpolledWaiterPassesItsPermitsOn() throws Exception {
        Semaphore s = new Semaphore(1);
        Semaphore.Permit held = s.tryAcquire().orElseThrow();
        Probe<Semaphore.Permit> first = Probe.of(s.acquire()).pending();
        Probe<Semaphore.Permit> second = Probe.of(s.acquire()).pending();
        held.close();
        assertTrue(first.woken());
        first.cancel();
        assertTrue(second.woken(), "the permit first was handed is not lost");
        second.ready().close();
        assertEquals(1, s.availablePermits());
    }

    @Test
    void cancellingBeforeTheFirstPollChangesNothing() {
        Semaphore s = new Semaphore(1);
        Probe.of(s.acquire()).cancel();
        assertEquals(1, s.availablePermits());
        assertEquals(0, s.waiterCount());
    }

    @Test
    void aRepollWithAnotherWakerMovesTheRegistration() throws Exception {
        Semaphore s = new Semaphore(0);
        var acquire = s.acquire();
        Probe<Semaphore.Permit> firstTask = Probe.of(acquire).pending();
        Probe<Semaphore.Permit> secondTask = Probe.of(acquire).pending();
        s.addPermits(1);
        assertFalse(firstTask.woken());
        assertTrue(secondTask.woken());
        assertEquals(1, secondTask.ready().count());
    }

    @Test
    void aCompletedAcquisitionCannotBePolledAgain() throws Exception {
        Probe<Semaphore.Permit> p = Probe.of(new Semaphore(1).acquire());
        p.ready();
        assertThrows(IllegalStateException.class, p::poll);
    }

    @Test
    void badCountsAreRejectedWithTheirValue() {
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> new Semaphore(-1));
        assertTrue(negative.getMessage().contains("-1"));
        Semaphore s = new Semaphore(Semaphore.MAX_PERMITS - 1);
        assertThrows(IllegalArgumentException.class, () -> s.acquire(0));
        assertThrows(IllegalArgumentException.class, () -> s.tryAcquire(0));
        assertThrows(IllegalArgumentException.class, () -> s.addPermits(-1));
        s.addPermits(1);
        IllegalArgumentException overflow = assertThrows(IllegalArgumentException.class, () -> s.addPermits(1));
        assertTrue(overflow.getMessage().contains("MAX_PERMITS"), overflow.getMessage());
        assertEquals(Semaphore.MAX_PERMITS, s.availablePermits());
    }

    @Test
    void anAcquireLoopSpendsTheCooperativeBudget() throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().build()) {
            Semaphore s = new Semaphore(1_000);
            int acquiredInOnePoll = rt.blockOn(rt.spawn(cx -> {
                int n = 0;
                while (n < 1_000 && s.acquire().poll(cx).isReady()) {
                    n++;
                }
                return Poll.ready(n);
            }));
            assertEquals(128, acquiredInOnePoll);
        }
    }
}
