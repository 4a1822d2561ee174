package dev.kyoto.runtime.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Many tasks on a multi-thread runtime, and plain threads, race to initialise each of many cells.
 * Every initialiser yields once while it runs, so the others find it running and must queue; the
 * first {@code failures} initialisers of each cell fail. Exactly {@code failures + 1}
 * initialisers run per cell, never two at once, and every caller that did not fail sees the one
 * value.
 */
class OnceCellStressTest {

    @Test
    void eachCellIsInitializedOnceWhileManyTasksRace() {
        int cells = 2_000;
        int tasksPerCell = 6;
        int failures = 1;
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            List<OnceCell<Integer>> cellList = new ArrayList<>();
            List<AtomicInteger> inits = new ArrayList<>();
            List<AtomicInteger> running = new ArrayList<>();
            for (int c = 0; c < cells; c++) {
                cellList.add(new OnceCell<>());
                inits.add(new AtomicInteger());
                running.add(new AtomicInteger());
            }
            AtomicInteger overlaps = new AtomicInteger();
            long start = System.nanoTime();
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(4).build()) {
                List<JoinHandle<Integer>> handles = new ArrayList<>();
                for (int c = 0; c < cells; c++) {
                    for (int t = 0; t < tasksPerCell; t++) {
                        handles.add(rt.spawn(initOrWait(cellList.get(c), c, inits.get(c), running.get(c), overlaps, failures)));
                    }
                }
                int failed = 0;
                for (int i = 0; i < handles.size(); i++) {
                    int c = i / tasksPerCell;
                    try {
                        assertEquals(c, rt.blockOn(handles.get(i)));
                    } catch (IOException expected) {
                        failed++;
                    }
                }
                assertEquals(cells * failures, failed, "callers whose own initializer failed");
            }
            assertEquals(0, overlaps.get(), "two initializers of one cell ran at once");
            for (int c = 0; c < cells; c++) {
                assertEquals(failures + 1, inits.get(c).get(), "initializers run for cell " + c);
                assertEquals(c, cellList.get(c).get().orElseThrow());
                assertEquals(0, cellList.get(c).waiterCount());
            }
            System.out.printf("OnceCell stress: %d cells, %d racing tasks each, in %d ms%n",
                    cells, tasksPerCell, (System.nanoTime() - start) / 1_000_000);
        });
    }

    private static Async<Integer> initOrWait(OnceCell<Integer> cell, int value, AtomicInteger inits, AtomicInteger running,
            AtomicInteger overlaps, int failures) {
        return cell.getOrInit(() -> {
            int attempt = inits.incrementAndGet();
            if (running.incrementAndGet() != 1) {
                overlaps.incrementAndGet();
            }
            return Async.yieldNow().map(v -> {
                running.decrementAndGet();
                if (attempt <= failures) {
                    throw new IOException("attempt " + attempt + " fails on purpose");
                }
                return value;
            });
        });
    }

    /** Plain threads blocking on getOrInit of one cell: one initializer, one value. */
    @Test
    void plainThreadsBlockingOnOneCellSeeOneValue() {
        int rounds = 500;
        int threads = 4;
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(2).build()) {
                for (int r = 0; r < rounds; r++) {
                    OnceCell<Integer> cell = new OnceCell<>();
                    AtomicInteger inits = new AtomicInteger();
                    List<Thread> ts = new ArrayList<>();
                    int[] seen = new int[threads];
                    for (int t = 0; t < threads; t++) {
                        int id = t;
                        ts.add(Thread.ofPlatform().start(() -> {
                            try {
                                seen[id] = rt.blockOn(cell.getOrInit(() -> {
                                    inits.incrementAndGet();
                                    return Async.yieldNow().map(v -> id);
                                }));
                            } catch (Exception e) {
                                throw new AssertionError(e);
                            }
                        }));
                    }
                    for (Thread t : ts) {
                        t.join();
                    }
                    assertEquals(1, inits.get());
                    for (int t = 0; t < threads; t++) {
                        assertEquals(seen[0], seen[t]);
                    }
                }
            }
        });
    }
}
