package dev.kyoto.runtime.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * Tasks on a multi-thread runtime meet at one barrier round after round. No task may pass a
 * round before every task arrived at it, and each round has exactly one leader. A lost wake-up
 * leaves tasks waiting for ever, which the timeout turns into a failure.
 */
class BarrierStressTest {

    @Test
    void everyRoundReleasesTheTasksTogetherWithOneLeader() {
        int tasks = 8;
        int rounds = 10_000;
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Barrier barrier = new Barrier(tasks);
            AtomicIntegerArray arrivedAt = new AtomicIntegerArray(rounds);
            AtomicIntegerArray leadersOf = new AtomicIntegerArray(rounds);
            List<String> errors = Collections.synchronizedList(new ArrayList<>());
            long start = System.nanoTime();
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(4).build()) {
                List<JoinHandle<Void>> handles = new ArrayList<>();
                for (int t = 0; t < tasks; t++) {
                    int[] round = {0};
                    handles.add(rt.spawn(Async.loop(() -> {
                        if (round[0] == rounds) {
                            return Async.ready(false);
                        }
                        int r = round[0]++;
                        arrivedAt.incrementAndGet(r);
                        return barrier.await().map(result -> {
                            if (arrivedAt.get(r) != tasks) {
                                errors.add("round " + r + " released with " + arrivedAt.get(r) + " of " + tasks + " arrived");
                            }
                            if (result.isLeader()) {
                                leadersOf.incrementAndGet(r);
                            }
                            return true;
                        });
                    })));
                }
                for (JoinHandle<Void> h : handles) {
                    rt.blockOn(h);
                }
            }
            assertEquals(List.of(), errors);
            for (int r = 0; r < rounds; r++) {
                assertEquals(1, leadersOf.get(r), "leaders of round " + r);
            }
            assertEquals(0, barrier.waiterCount());
            System.out.printf("Barrier stress: %d rounds of %d tasks in %d ms%n", rounds, tasks, (System.nanoTime() - start) / 1_000_000);
        });
    }
}
