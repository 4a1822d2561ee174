package dev.kyoto.bench;

import dev.kyoto.runtime.KyotoRuntime;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

/**
 * The parameters of Tokio's {@code benches/rt_multi_threaded.rs}, shared by both sides, and the
 * helpers both use.
 */
final class Workloads {
    /** Tokio's {@code NUM_WORKERS}: Kyoto's worker threads and the ForkJoinPool's parallelism. */
    static final int NUM_WORKERS = 4;
    /** Tokio's {@code NUM_SPAWN}: tasks per spawn_many_* iteration. */
    static final int NUM_SPAWN = 10_000;
    /** spawn_many_remote_busy2 shadows NUM_SPAWN with 1 000. */
    static final int BUSY2_NUM_SPAWN = 1_000;
    /** ping_pong's NUM_PINGS. */
    static final int NUM_PINGS = 1_000;
    /** yield_many's TASKS and NUM_YIELD. */
    static final int YIELD_TASKS = 200;
    static final int NUM_YIELD = 1_000;
    /** chained_spawn's ITER. */
    static final int CHAIN_LENGTH = 1_000;
    /** Tokio's {@code STALL_DUR}: 10 µs. */
    static final long STALL_NANOS = 10_000;

    /**
     * No workload takes more than a fraction of a second; one that is still waiting after this
     * long has lost a wake-up or is starved, and failing says so instead of hanging the JMH run.
     */
    static final long HANG_SECONDS = 10;

    private Workloads() {
    }

    /** Tokio's {@code rt()}: multi-thread, 4 workers, everything enabled. */
    static KyotoRuntime kyoto() {
        return KyotoRuntime.builder().multiThread().workerThreads(NUM_WORKERS).enableAll().build();
    }

    /** The JDK's counterpart: a work-stealing pool of parallelism 4 in async (FIFO) mode. */
    static ForkJoinPool forkJoinPool() {
        return new ForkJoinPool(NUM_WORKERS, ForkJoinPool.defaultForkJoinWorkerThreadFactory, null, true);
    }

    /** Tokio's {@code stall()}: busy-loops with {@code Thread.yield()} until 10 µs have passed. */
    static void stall() {
        long start = System.nanoTime();
        while (System.nanoTime() - start < STALL_NANOS) {
            Thread.yield();
        }
    }

    /** Waits for {@code latch}: the blocking {@code rx.recv()} of Tokio's benches. */
    static void await(CountDownLatch latch, String workload) throws InterruptedException {
        if (!latch.await(HANG_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException(workload + " did not complete within " + HANG_SECONDS
                    + " s (" + latch.getCount() + " signals missing): a wake-up was lost, or the tasks are starved");
        }
    }

    /** Shuts {@code pool} down and waits for its workers, so the next trial starts on a quiet machine. */
    static void close(ForkJoinPool pool) throws InterruptedException {
        pool.shutdownNow();
        if (!pool.awaitTermination(HANG_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the ForkJoinPool did not terminate within " + HANG_SECONDS + " s");
        }
    }
}
