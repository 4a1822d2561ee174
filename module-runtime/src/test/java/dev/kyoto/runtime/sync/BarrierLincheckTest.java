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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Model checks of {@link Barrier}: every arrival of a complete generation is woken (a lost
 * wake-up is a deadlock Lincheck reports), each generation has one leader, and a cancelled
 * arrival racing the one that would complete the generation is either counted (the generation
 * completed first) or withdrawn, never both.
 */
@Tag("lincheck")
class BarrierLincheckTest {

    /** Two threads meet twice: both generations complete, each with exactly one leader. */
    @Test
    void twoGenerationsEachHaveOneLeader() {
        model(50, () -> {
            Barrier barrier = new Barrier(2);
            AtomicInteger leaders = new AtomicInteger();
            Loom.Forked other = fork(() -> {
                for (int g = 0; g < 2; g++) {
                    if (blockOn(barrier.await()).isLeader()) {
                        leaders.incrementAndGet();
                    }
                }
            });
            for (int g = 0; g < 2; g++) {
                if (blockOn(barrier.await()).isLeader()) {
                    leaders.incrementAndGet();
                }
            }
            other.join();
            assertEquals(2, leaders.get());
            assertEquals(0, barrier.waiterCount());
        });
    }

    /**
     * A waiting arrival cancels while a second arrives. If the second led, the first was counted
     * and the barrier starts empty; if not, the first was withdrawn and the second waits for a
     * third, which leads.
     */
    @Test
    void aCancelRacingTheCompletingArrivalIsCountedOrWithdrawnNeverBoth() {
        model(150, () -> {
            Barrier barrier = new Barrier(2);
            Async<BarrierWaitResult> quitter = barrier.await();
            assertTrue(quitter.poll(new Context(new Loom.ParkingWaker())).isPending());
            Async<BarrierWaitResult> arriving = barrier.await();
            Loom.ParkingWaker w = new Loom.ParkingWaker();
            AtomicReference<Poll<BarrierWaitResult>> first = new AtomicReference<>();
            Loom.Forked arriver = fork(() -> first.set(arriving.poll(new Context(w))));
            quitter.cancel();
            arriver.join();
            if (first.get().isReady()) {
                assertTrue(first.get().value().isLeader());
                assertEquals(0, barrier.waiterCount());
            } else {
                assertEquals(1, barrier.waiterCount(), "the cancelled arrival was not withdrawn");
                assertTrue(blockOn(barrier.await()).isLeader());
                assertFalse(arriving.poll(new Context(w)).value().isLeader());
            }
        });
    }
}
