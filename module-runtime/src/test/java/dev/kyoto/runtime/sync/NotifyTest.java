package dev.kyoto.runtime.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import org.junit.jupiter.api.Test;

class NotifyTest {

    @Test
    void notifyOneWithNobodyWaitingStoresOnePermit() throws Exception {
        Notify n = new Notify();
        n.notifyOne();
        n.notifyOne();
        Probe.of(n.notified()).ready();
        Probe.of(n.notified()).pending();
    }

    @Test
    void aNotifiedCreatedBeforeTheNotifyOneConsumesThePermitWhenPolled() throws Exception {
        Notify n = new Notify();
        Probe<Void> early = Probe.of(n.notified());
        n.notifyOne();
        early.ready();
        Probe.of(n.notified()).pending();
    }

    @Test
    void notifyOneWakesTheOldestWaiterOnly() throws Exception {
        Notify n = new Notify();
        Probe<Void> a = Probe.of(n.notified()).pending();
        Probe<Void> b = Probe.of(n.notified()).pending();
        n.notifyOne();
        assertTrue(a.woken());
        assertFalse(b.woken());
        a.ready();
        b.pending();
        n.notifyOne();
        assertTrue(b.woken());
        b.ready();
        Probe.of(n.notified()).pending();
        assertEquals(1, n.waiterCount());
    }

    @Test
    void notifyLastWithNobodyWaitingStoresOnePermit() throws Exception {
        Notify n = new Notify();
        n.notifyLast();
        n.notifyLast();
        Probe.of(n.notified()).ready();
        Probe.of(n.notified()).pending();
    }

    @Test
    void notifyLastWakesTheNewestWaiterOnly() throws Exception {
        Notify n = new Notify();
        Probe<Void> a = Probe.of(n.notified()).pending();
        Probe<Void> b = Probe.of(n.notified()).pending();
        Probe<Void> c = Probe.of(n.notified()).pending();
        n.notifyLast();
        assertFalse(a.woken());
        assertFalse(b.woken());
        assertTrue(c.woken());
        c.ready();
        n.notifyOne();
        assertTrue(a.woken(), "notifyOne still takes the oldest");
        assertFalse(b.woken());
        a.ready();
        n.notifyLast();
        assertTrue(b.woken());
        b.ready();
        assertEquals(0, n.waiterCount());
        Probe.of(n.notified()).pending();
    }

    @Test
    void aNotificationChosenByNotifyLastForACancelledWaiterGoesToTheNextNewest() throws Exception {
        Notify n = new Notify();
        Probe<Void> a = Probe.of(n.notified()).pending();
        Probe<Void> b = Probe.of(n.notified()).pending();
        Probe<Void> c = Probe.of(n.notified()).pending();
        n.notifyLast();
        c.cancel();
        assertFalse(a.woken(), "the notification went to the oldest instead of the next newest");
        assertTrue(b.woken());
        b.ready();
        a.pending();
        assertEquals(1, n.waiterCount());
    }

    @Test
    void aNotificationChosenByNotifyLastForTheLastCancelledWaiterIsStored() throws Exception {
        Notify n = new Notify();
        Probe<Void> a = Probe.of(n.notified()).pending();
        n.notifyLast();
        a.cancel();
        Probe.of(n.notified()).ready();
        Probe.of(n.notified()).pending();
    }

    @Test
    void notifyWaitersWakesEveryWaiterAndStoresNothing() throws Exception {
        Notify n = new Notify();
        Probe<Void> a = Probe.of(n.notified()).pending();
        Probe<Void> b = Probe.of(n.notified()).pending();
        Probe<Void> notPolledYet = Probe.of(n.notified());
        n.notifyWaiters();
        assertEquals(1, a.wakes());
        assertEquals(1, b.wakes());
        a.ready();
        b.ready();
        notPolledYet.ready();
        Probe.of(n.notified()).pending();
    }

    @Test
    void notifyWaitersWithNobodyWaitingStillCompletesNotifiedCreatedBefore() throws Exception {
        Notify n = new Notify();
        Probe<Void> created = Probe.of(n.notified());
        n.notifyWaiters();
        Probe<Void> after = Probe.of(n.notified());
        created.ready();
        after.pending();
    }

    @Test
    void notifyWaitersKeepsAStoredPermit() throws Exception {
        Notify n = new Notify();
        n.notifyOne();
        n.notifyWaiters();
        Probe.of(n.notified()).ready();
        Probe.of(n.notified()).pending();
    }

    @Test
    void cancellingAWaiterLeavesTheNotifyAsIfItNeverWaited() throws Exception {
        Notify n = new Notify();
        Probe<Void> a = Probe.of(n.notified()).pending();
        a.cancel();
        assertEquals(0, n.waiterCount());
        n.notifyOne();
        assertFalse(a.woken());
        Probe.of(n.notified()).ready();
    }

    @Test
    void aNotificationChosenForACancelledWaiterGoesToTheNextOne() throws Exception {
        Notify n = new Notify();
        Probe<Void> a = Probe.of(n.notified()).pending();
        Probe<Void> b = Probe.of(n.notified()).pending();
        n.notifyOne();
        a.cancel();
        assertTrue(b.woken());
        b.ready();
        assertEquals(0, n.waiterCount());
    }

    @Test
    void aNotificationChosenForTheLastCancelledWaiterIsStored() throws Exception {
        Notify n = new Notify();
        Probe<Void> a = Probe.of(n.notified()).pending();
        n.notifyOne();
        a.cancel();
        Probe.of(n.notified()).ready();
    }

    @Test
    void cancellingAWaiterWokenByNotifyWaitersPassesNothingOn() throws Exception {
        Notify n = new Notify();
        Probe<Void> a = Probe.of(n.notified()).pending();
        n.notifyWaiters();
        a.cancel();
        Probe.of(n.notified()).pending();
    }

    @Test
    void aRepollWithAnotherWakerMovesTheRegistration() throws Exception {
        Notify n = new Notify();
        var notified = n.notified();
        Probe<Void> oldTask = Probe.of(notified).pending();
        Probe<Void> newTask = Probe.of(notified).pending();
        n.notifyOne();
        assertFalse(oldTask.woken());
        assertTrue(newTask.woken());
        newTask.ready();
        assertThrows(IllegalStateException.class, newTask::poll);
    }

    @Test
    void waitingSpendsTheCooperativeBudget() throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().build()) {
            Notify n = new Notify();
            int completedInOnePoll = rt.blockOn(rt.spawn(cx -> {
                int done = 0;
                while (done < 1_000) {
                    n.notifyOne();
                    if (n.notified().poll(cx).isPending()) {
                        break;
                    }
                    done++;
                }
                return Poll.ready(done);
            }));
            assertEquals(128, completedInOnePoll);
        }
    }
}
