package dev.kyoto.runtime.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import org.junit.jupiter.api.Test;

class BarrierTest {

    @Test
    void everyoneIsReleasedWhenTheLastArrivesAndTheLastLeads() throws Exception {
        Barrier b = new Barrier(3);
        assertEquals(3, b.parties());
        Probe<BarrierWaitResult> first = Probe.of(b.await()).pending();
        Probe<BarrierWaitResult> second = Probe.of(b.await()).pending();
        assertEquals(2, b.waiterCount());
        assertFalse(first.woken());
        assertTrue(Probe.of(b.await()).ready().isLeader());
        assertEquals(1, first.wakes());
        assertEquals(1, second.wakes());
        assertFalse(first.ready().isLeader());
        assertFalse(second.ready().isLeader());
        assertEquals(0, b.waiterCount());
        assertThrows(IllegalStateException.class, first::poll);
    }

    @Test
    void theBarrierIsReusedAcrossGenerations() throws Exception {
        Barrier b = new Barrier(2);
        for (int generation = 0; generation < 3; generation++) {
            Probe<BarrierWaitResult> waiting = Probe.of(b.await()).pending();
            assertTrue(Probe.of(b.await()).ready().isLeader());
            assertFalse(waiting.ready().isLeader());
        }
        Probe<BarrierWaitResult> next = Probe.of(b.await()).pending();
        assertFalse(next.woken(), "an arrival of a new generation was released by the last one");
    }

    @Test
    void anArrivalCreatedBeforeAGenerationButPolledAfterBelongsToTheNext() throws Exception {
        Barrier b = new Barrier(2);
        Probe<BarrierWaitResult> late = Probe.of(b.await());
        Probe.of(b.await()).pending();
        Probe.of(b.await()).ready();
        late.pending();
    }

    @Test
    void cancellingAWaitingArrivalWithdrawsIt() throws Exception {
        Barrier b = new Barrier(2);
        Probe<BarrierWaitResult> quitter = Probe.of(b.await()).pending();
        quitter.cancel();
        assertEquals(0, b.waiterCount());
        Probe<BarrierWaitResult> second = Probe.of(b.await()).pending();
        assertFalse(quitter.woken());
        assertTrue(Probe.of(b.await()).ready().isLeader());
        assertFalse(second.ready().isLeader());
    }

    @Test
    void cancellingAnArrivalAfterItsGenerationCompletedChangesNothing() throws Exception {
        Barrier b = new Barrier(2);
        Probe<BarrierWaitResult> released = Probe.of(b.await()).pending();
        assertTrue(Probe.of(b.await()).ready().isLeader());
        assertTrue(released.woken());
        released.cancel();
        Probe<BarrierWaitResult> next = Probe.of(b.await()).pending();
        assertTrue(Probe.of(b.await()).ready().isLeader());
        assertFalse(next.ready().isLeader());
    }

    @Test
    void cancellingBeforeTheFirstPollNeverArrives() throws Exception {
        Barrier b = new Barrier(2);
        Probe.of(b.await()).cancel();
        Probe.of(b.await()).pending();
        assertEquals(1, b.waiterCount());
    }

    @Test
    void aBarrierOfOneLetsEveryArrivalLead() throws Exception {
        Barrier b = new Barrier(1);
        assertTrue(Probe.of(b.await()).ready().isLeader());
        assertTrue(Probe.of(b.await()).ready().isLeader());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Barrier(0));
        assertTrue(e.getMessage().contains("at least 1 party"), e.getMessage());
    }

    @Test
    void aRepollWithAnotherWakerMovesTheRegistration() throws Exception {
        Barrier b = new Barrier(2);
        var arrival = b.await();
        Probe<BarrierWaitResult> oldTask = Probe.of(arrival).pending();
        Probe<BarrierWaitResult> newTask = Probe.of(arrival).pending();
        Probe.of(b.await()).ready();
        assertFalse(oldTask.woken());
        assertTrue(newTask.woken());
        assertFalse(newTask.ready().isLeader());
    }

    @Test
    void arrivingSpendsTheCooperativeBudget() throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().build()) {
            Barrier b = new Barrier(1);
            int completedInOnePoll = rt.blockOn(rt.spawn(cx -> {
                int done = 0;
                while (done < 1_000 && b.await().poll(cx).isReady()) {
                    done++;
                }
                return Poll.ready(done);
            }));
            assertEquals(128, completedInOnePoll);
        }
    }
}
