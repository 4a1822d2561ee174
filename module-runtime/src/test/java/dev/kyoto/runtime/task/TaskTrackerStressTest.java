package dev.kyoto.runtime.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Tracking and ending racing {@code close} and {@code drained()} on real threads: the drain always
 * completes (a lost wake-up fails at a deadline), and never before the tracker is closed and empty.
 */
class TaskTrackerStressTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final int ITERATIONS = 10_000;

    @Test
    void trackAndEndRacingCloseAndDrainedNeitherLosesTheDrainNorDrainsEarly() {
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            ExecutorService pool = Executors.newFixedThreadPool(3);
            AtomicInteger refused = new AtomicInteger();
            try {
                for (int i = 0; i < ITERATIONS; i++) {
                    TaskTracker tracker = new TaskTracker();
                    CyclicBarrier go = new CyclicBarrier(4);
                    List<Future<?>> actors = List.of(
                            pool.submit(() -> trackAndEnd(tracker, go, refused)),
                            pool.submit(() -> trackAndEnd(tracker, go, refused)),
                            pool.submit(() -> {
                                go.await();
                                jitter();
                                tracker.close();
                                return null;
                            }));
                    go.await();
                    Parking.await(tracker.drained(), LIMIT);
                    // Closed and empty is terminal, so it must hold from the moment drained() completes.
                    assertTrue(tracker.isClosed(), "drained before close in iteration " + i);
                    assertEquals(0, tracker.size(), "drained with tasks left in iteration " + i);
                    for (Future<?> f : actors) {
                        f.get(LIMIT.toSeconds(), TimeUnit.SECONDS);
                    }
                    assertEquals(0, tracker.drainSignal().waiterCount());
                }
            } finally {
                pool.shutdownNow();
            }
            System.out.printf("TaskTracker race: %d of %d track calls came after close%n", refused.get(), ITERATIONS * 8);
        });
    }

    /** Tracks four computations, ending two with their value and two by cancelling them. */
    private static Void trackAndEnd(TaskTracker tracker, CyclicBarrier go, AtomicInteger refused) throws Exception {
        go.await();
        for (int k = 0; k < 4; k++) {
            jitter();
            Async<Integer> tracked;
            try {
                tracked = tracker.track(Async.ready(k));
            } catch (IllegalStateException closed) {
                refused.incrementAndGet();
                continue;
            }
            if (k % 2 == 0) {
                assertEquals(k, Parking.await(tracked, LIMIT));
            } else {
                tracked.cancel();
            }
        }
        return null;
    }

    /**
     * Tasks on a multi-thread runtime spawn more tasks through the tracker while a plain thread
     * closes it and another blocks on drained(): the drain completes once every task that was let
     * in has ended, and every spawn refused after close left no count behind.
     */
    @Test
    void spawnedTasksRacingCloseDrainAcrossThreads() {
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(4).build();
                    KyotoRuntime waiter = KyotoRuntime.builder().currentThread().build()) {
                for (int round = 0; round < 300; round++) {
                    TaskTracker tracker = new TaskTracker();
                    Queue<JoinHandle<Void>> let = new ConcurrentLinkedQueue<>();
                    for (int s = 0; s < 4; s++) {
                        rt.spawn(Async.ready(null).then(v -> spawnMany(tracker, let, 25)));
                    }
                    Thread closer = Thread.ofPlatform().start(() -> {
                        jitter();
                        tracker.close();
                    });
                    waiter.blockOn(tracker.drained());
                    assertEquals(0, tracker.size());
                    closer.join();
                    for (JoinHandle<Void> h : let) {
                        rt.blockOn(h);
                    }
                }
            }
        });
    }

    /** Spawns {@code n} tasks through the tracker, one per yield, until it refuses. */
    private static Async<Void> spawnMany(TaskTracker tracker, Queue<JoinHandle<Void>> let, int n) {
        if (n == 0) {
            return Async.ready(null);
        }
        try {
            let.add(tracker.spawn(yields(ThreadLocalRandom.current().nextInt(4))));
        } catch (IllegalStateException closed) {
            return Async.ready(null);
        }
        return Async.yieldNow().then(v -> spawnMany(tracker, let, n - 1));
    }

    private static Async<Void> yields(int n) {
        return n == 0 ? Async.ready(null) : Async.yieldNow().then(v -> yields(n - 1));
    }

    private static void jitter() {
        for (int i = ThreadLocalRandom.current().nextInt(200); i >= 0; i--) {
            Thread.onSpinWait();
        }
    }
}
