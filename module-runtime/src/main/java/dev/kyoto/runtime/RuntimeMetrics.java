package dev.kyoto.runtime;

import dev.kyoto.runtime.internal.scheduler.PollTimes;
import dev.kyoto.runtime.internal.scheduler.SchedulerMetrics;
import dev.kyoto.runtime.spi.IoDriver;
import java.time.Duration;
import java.util.Objects;

/**
 * What a runtime is doing, read while it runs: its tasks, queues, workers, blocking pool, timers
 * and I/O driver. A stable API: the names and meanings below do not change between versions.
 *
 * <pre>{@code
 * RuntimeMetrics m = rt.metrics();
 * for (int i = 0; i < m.workers(); i++) {
 *     System.out.printf("worker %d: %d polls, %d steals, busy %s%n",
 *             i, m.workerPolls(i), m.workerSteals(i), m.workerBusyTime(i));
 * }
 * }</pre>
 *
 * <p>Counting costs the runtime almost nothing: each worker's counters are written only by that
 * worker, with plain adds and no fence, and task starts and completions go to striped counters;
 * every sum is made here, when a value is read. So each value is exact for its own counter at
 * some moment during the call, and counters read one after another are not a consistent
 * snapshot (a task may complete between reading {@link #spawnedTasks()} and
 * {@link #aliveTasks()}). Counts only grow, except the depths and {@link #aliveTasks()}.
 *
 * <p>A current-thread runtime reports one worker, index 0: the thread inside {@code blockOn}
 * while it runs tasks. The metrics stay readable after the runtime is closed, with their final
 * values. Any thread may read them at any time. The same values are attributes of the runtime's
 * {@link KyotoRuntimeMXBean}, for JMX clients.
 */
public final class RuntimeMetrics {
    private final SchedulerMetrics scheduler;
    private final IoDriver io;
    private final String ioDriverName;

    RuntimeMetrics(SchedulerMetrics scheduler, IoDriver io, String ioDriverName) {
        this.scheduler = scheduler;
        this.io = io;
        this.ioDriverName = ioDriverName;
    }

    /** The number of workers: the multi-thread runtime's worker threads, or 1 for a current-thread runtime. */
    public int workers() {
        return scheduler.workers();
    }

    /** Tasks spawned since the runtime was built, virtual and blocking ones aside. */
    public long spawnedTasks() {
        return scheduler.spawnedTasks();
    }

    /** Tasks spawned and not yet completed (with a value, a failure, or cancelled). */
    public long aliveTasks() {
        return scheduler.aliveTasks();
    }

    /**
     * Tasks waiting in the global queue, the one every worker takes from: tasks woken or spawned
     * from outside the runtime's workers, and a full worker queue's overflow.
     */
    public long globalQueueDepth() {
        return scheduler.globalQueueDepth();
    }

    /**
     * Polls of tasks worker {@code i} has made.
     *
     * @throws IndexOutOfBoundsException if {@code i} is not in {@code [0, workers())}
     */
    public long workerPolls(int i) {
        return scheduler.workerPolls(Objects.checkIndex(i, workers()));
    }

    /**
     * Tasks worker {@code i} has stolen from other workers' queues (always 0 on a current-thread runtime).
     *
     * @throws IndexOutOfBoundsException if {@code i} is not in {@code [0, workers())}
     */
    public long workerSteals(int i) {
        return scheduler.workerSteals(Objects.checkIndex(i, workers()));
    }

    /**
     * Times worker {@code i} has parked for want of work (in the I/O driver or on its own).
     *
     * @throws IndexOutOfBoundsException if {@code i} is not in {@code [0, workers())}
     */
    public long workerParks(int i) {
        return scheduler.workerParks(Objects.checkIndex(i, workers()));
    }

    /**
     * The time worker {@code i} has spent outside parks (running tasks, polling the driver without
     * blocking, looking for work), including the stretch it is in now. On a current-thread runtime,
     * the time a thread in {@code blockOn} held the runtime without waiting in the driver.
     *
     * @throws IndexOutOfBoundsException if {@code i} is not in {@code [0, workers())}
     */
    public Duration workerBusyTime(int i) {
        return Duration.ofNanos(scheduler.workerBusyNanos(Objects.checkIndex(i, workers())));
    }

    /**
     * Tasks queued on worker {@code i}, waiting to run there (its LIFO slot included).
     *
     * @throws IndexOutOfBoundsException if {@code i} is not in {@code [0, workers())}
     */
    public long workerLocalQueueDepth(int i) {
        return scheduler.workerLocalQueueDepth(Objects.checkIndex(i, workers()));
    }

    /**
     * Times worker {@code i}'s queue was full and moved half of itself to the global queue
     * (always 0 on a current-thread runtime, whose queue grows).
     *
     * @throws IndexOutOfBoundsException if {@code i} is not in {@code [0, workers())}
     */
    public long workerOverflows(int i) {
        return scheduler.workerOverflows(Objects.checkIndex(i, workers()));
    }

    /**
     * Whether the workers time their task polls into the poll-time histogram, which a runtime
     * keeps only when built with {@link KyotoRuntime.Builder#enablePollTimeHistogram()}: timing
     * costs two clock reads per poll. When it is off every bucket counts 0.
     */
    public boolean pollTimeHistogramEnabled() {
        return scheduler.pollTimeHistogramEnabled();
    }

    /** The number of buckets of the poll-time histogram: 20, enabled or not. */
    public int pollTimeHistogramBuckets() {
        return PollTimes.BUCKETS;
    }

    /**
     * The shortest poll that counts in {@code bucket} of the poll-time histogram: zero for bucket
     * 0, then 1 µs, 2 µs, 4 µs and so on, doubling (bucket 19 starts at 262.144 ms). A bucket
     * ends where the next one starts; the last has no end. Powers of two of a microsecond span
     * what a poll takes, from a fraction of a microsecond to a task that blocks its worker, in
     * few buckets.
     *
     * @throws IndexOutOfBoundsException if {@code bucket} is not in {@code [0, pollTimeHistogramBuckets())}
     */
    public Duration pollTimeHistogramBucketStart(int bucket) {
        return Duration.ofNanos(PollTimes.bucketStartNanos(Objects.checkIndex(bucket, PollTimes.BUCKETS)));
    }

    /**
     * Polls of tasks worker {@code i} has made that took as long as {@code bucket} covers (see
     * {@link #pollTimeHistogramBucketStart}); always 0 unless {@link #pollTimeHistogramEnabled()}.
     * A poll is timed from before the task's {@code poll} to after it, the task's own work and
     * its wakes included.
     *
     * @throws IndexOutOfBoundsException if {@code i} is not in {@code [0, workers())} or
     *         {@code bucket} not in {@code [0, pollTimeHistogramBuckets())}
     */
    public long workerPollTimeHistogramBucketCount(int i, int bucket) {
        return scheduler.workerPollTimeBucketCount(Objects.checkIndex(i, workers()), Objects.checkIndex(bucket, PollTimes.BUCKETS));
    }

    /** Threads of the blocking pool ({@code spawnBlocking}), busy and idle. */
    public long blockingThreads() {
        return scheduler.blockingThreads();
    }

    /** Blocking-pool threads waiting for work. */
    public long idleBlockingThreads() {
        return scheduler.idleBlockingThreads();
    }

    /** Blocking work waiting for a thread of the pool. */
    public long blockingQueueDepth() {
        return scheduler.blockingQueueDepth();
    }

    /** Timers waiting to fire ({@code sleep}, {@code timeout}, {@code interval}); 0 without timers. */
    public long timersArmed() {
        return scheduler.timersArmed();
    }

    /**
     * The name of the I/O driver the runtime chose: {@code nio} for the selector, {@code io_uring}
     * for module {@code dev.kyoto.io.uring}'s driver; null without I/O. Which one runs depends on
     * the modules linked, the platform and {@code -Dkyoto.io.driver}, so this says which did.
     */
    public String ioDriverName() {
        return ioDriverName;
    }

    /** Resources registered with the I/O driver now (sockets, listeners); 0 without I/O. */
    public long ioRegistrations() {
        return io == null ? 0 : io.metrics().registeredCount();
    }

    /** Readiness events the I/O driver has delivered; 0 without I/O. */
    public long ioReadyEvents() {
        return io == null ? 0 : io.metrics().readyCount();
    }

    /** Turns of the I/O driver (calls into the operating system's readiness API); 0 without I/O. */
    public long ioDriverTurns() {
        return io == null ? 0 : io.metrics().turnCount();
    }

    /** Times another thread had to wake the I/O driver out of a blocked turn; 0 without I/O. */
    public long ioDriverWakeups() {
        return io == null ? 0 : io.metrics().wakeupCount();
    }
}
