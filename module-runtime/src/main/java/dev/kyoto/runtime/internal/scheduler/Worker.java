package dev.kyoto.runtime.internal.scheduler;

import dev.kyoto.runtime.internal.task.Task;

/**
 * One worker of a multi-thread runtime: its run queue, its LIFO slot and its parker.
 *
 * <p>Everything but {@code queue}'s steal side and {@code parker}'s unpark side belongs to the
 * worker's own thread: {@code lifo}, {@code lifoEnabled}, {@code tick}, {@code nextPollTick},
 * {@code handoffPending}, {@code polledAt}, {@code searching}, {@code parkerOut} and
 * {@code random} are plain fields read and written only
 * by it (and, after the thread has been joined at shutdown, by the thread that shuts the runtime
 * down).
 */
public final class Worker {
    final MultiThreadScheduler scheduler;
    final int index;
    final LocalQueue queue = new LocalQueue();
    final Parker parker;
    /** Scratch space for a batch taken from the inject queue, reused so pulling allocates nothing. */
    final Task<?>[] batch = new Task<?>[LocalQueue.CAPACITY / 2];

    /** The task most recently woken or spawned by the running task; polled next. */
    Task<?> lifo;
    /** False after three LIFO polls in a row, until the worker goes back to its queue. */
    boolean lifoEnabled = true;
    int tick;
    /** The tick at which the worker next polls the driver without blocking (compared with wrap-around). */
    int nextPollTick;
    /** Whether the tasks the last driver poll queued here should be handed off if they wait too long. */
    boolean handoffPending;
    /** When that poll returned ({@link System#nanoTime()}). */
    long polledAt;
    /** Null when the interval was configured, which disables tuning. */
    final QueueIntervalTuner tuner;
    /** Whether this worker counts among the searching workers in {@link Idle}. */
    boolean searching;
    /** True while the worker polls the driver: wakes then are batched, and others notified after. */
    boolean parkerOut;
    private int random;

    Worker(MultiThreadScheduler scheduler, int index, Parker parker, QueueIntervalTuner tuner) {
        this.scheduler = scheduler;
        this.index = index;
        this.parker = parker;
        this.tuner = tuner;
        this.random = 0x9E3779B9 * (index + 1);
    }

    /** Whether the worker holds tasks of its own. */
    boolean hasTasks() {
        return lifo != null || !queue.isEmpty();
    }

    /** A cheap pseudo-random number (xorshift), to spread where thieves start looking. */
    int nextRandom(int bound) {
        int x = random;
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        random = x;
        return Math.floorMod(x, bound);
    }
}
