package dev.kyoto.runtime.internal.scheduler;

/**
 * What a scheduler counts, read by {@code RuntimeMetrics}: one implementation per flavour. Every
 * method may be called from any thread; worker indexes run from 0 to {@link #workers()} - 1.
 */
public interface SchedulerMetrics {
    /** Workers: the multi-thread runtime's, or 1 for the current-thread runtime's core. */
    int workers();

    /** Tasks started since the runtime was built. */
    long spawnedTasks();

    /** Tasks started and not yet completed. */
    long aliveTasks();

    /** Tasks waiting in the queue that any worker takes from (woken from outside the runtime's threads). */
    long globalQueueDepth();

    /** Tasks worker {@code i} has polled. */
    long workerPolls(int i);

    /** Tasks worker {@code i} took from other workers' queues. */
    long workerSteals(int i);

    /** Times worker {@code i} parked for want of work. */
    long workerParks(int i);

    /** Nanoseconds worker {@code i} spent outside parks. */
    long workerBusyNanos(int i);

    /** Tasks queued on worker {@code i} (its LIFO slot included). */
    long workerLocalQueueDepth(int i);

    /** Times worker {@code i}'s full queue moved half of itself to the global queue. */
    long workerOverflows(int i);

    /** Threads of the blocking pool, busy and idle. */
    long blockingThreads();

    /** Blocking-pool threads waiting for work. */
    long idleBlockingThreads();

    /** Blocking work waiting for a thread. */
    long blockingQueueDepth();

    /** Timers registered with the time driver and not yet fired or cancelled. */
    long timersArmed();

    /** Whether the workers time their polls ({@code enablePollTimeHistogram()}). */
    boolean pollTimeHistogramEnabled();

    /** Polls of worker {@code i} that took as long as {@code bucket} covers; 0 when polls are not timed. */
    long workerPollTimeBucketCount(int i, int bucket);
}
