package dev.kyoto.runtime.internal.scheduler;

import dev.kyoto.runtime.internal.context.DeferredWakers;
import dev.kyoto.runtime.internal.task.Task;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One worker of a multi-thread runtime: its run queue, its LIFO slot and its parker.
 *
 * <p>Everything but {@code queue}'s steal side, {@code parker}'s unpark side, {@code deferred}
 * (thread-safe) and {@code tick} belongs to the worker's own thread: {@code lifo},
 * {@code lifoEnabled}, {@code nextPollTick}, {@code handoffPending}, {@code polledAt},
 * {@code searching}, {@code parkerOut}, {@code seenTicks}, {@code seenActivity},
 * {@code rewatching}, {@code seenAcquisitions} and {@code random} are plain fields read and
 * written only by it (and, after the thread has been joined at shutdown, by the thread that shuts
 * the runtime down). {@code tick} is written only by the owner, with opaque stores, so that a
 * watching worker can tell from an opaque read whether this one has moved on since its last
 * look ({@link StallWatch}).
 */
public final class Worker {
    private static final VarHandle TICK;

    static {
        try {
            TICK = MethodHandles.lookup().findVarHandle(Worker.class, "tick", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final MultiThreadScheduler scheduler;
    final int index;
    final LocalQueue queue = new LocalQueue();
    final Parker parker;
    /** The wakers of tasks that yielded on this worker; a watcher takes them if it stalls. */
    final DeferredWakers deferred = new DeferredWakers();
    /** Polls, parks and busy time; written only by the worker's thread. */
    final WorkerMetrics metrics = new WorkerMetrics();
    /** How long polls took, or null when the runtime does not keep that histogram; written only by the worker's thread. */
    final PollTimes pollTimes;
    /** Scratch space for a batch taken from the inject queue, reused so pulling allocates nothing. */
    final Task<?>[] batch = new Task<?>[LocalQueue.CAPACITY / 2];

    /** The task most recently woken or spawned by the running task; polled next. */
    Task<?> lifo;
    /** False after three LIFO polls in a row, until the worker goes back to its queue. */
    boolean lifoEnabled = true;
    /** Counts the run loop's iterations (wrapping); read by watchers as a sign of progress. */
    private int tick;
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
    /** While this worker keeps the watch: each worker's tick at its last look. */
    final int[] seenTicks;
    /** While this worker keeps the watch: the watch's activity count at its last look. */
    int seenActivity;
    /** Whether the worker parks again after a watch period, rather than for the first time. */
    boolean rewatching;
    /** The driver's acquisition count when this worker last parked. */
    int seenAcquisitions;
    private int random;

    Worker(MultiThreadScheduler scheduler, int index, int workerCount, Parker parker, QueueIntervalTuner tuner,
            boolean pollTimeHistogram) {
        this.scheduler = scheduler;
        this.pollTimes = pollTimeHistogram ? new PollTimes() : null;
        this.index = index;
        this.parker = parker;
        this.tuner = tuner;
        this.seenTicks = new int[workerCount];
        this.random = 0x9E3779B9 * (index + 1);
    }

    /** Owner only: advances the tick and returns the new value. */
    int nextTick() {
        int t = tick + 1;
        TICK.setOpaque(this, t);
        return t;
    }

    /** Owner only: the current tick. */
    int tick() {
        return tick;
    }

    /** Any thread: the tick as last stored by the owner. */
    int observedTick() {
        return (int) TICK.getOpaque(this);
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
