package dev.kyoto.runtime;

/**
 * A runtime's {@link RuntimeMetrics} over JMX: one MXBean per runtime, registered with the
 * platform MBean server as {@code dev.kyoto:type=Runtime,name=NAME} while the runtime runs, so
 * that JConsole, VisualVM, Micrometer's JMX binder and Prometheus' JMX exporter read it with no
 * code of Kyoto's. {@code NAME} is the runtime's thread name
 * ({@link KyotoRuntime.Builder#threadName}), followed by {@code -2}, {@code -3}, … when a runtime
 * of that name is registered already. See {@link KyotoRuntime.Builder#jmx(boolean)} for when it
 * is registered.
 *
 * <p>Each attribute is the metric of the same name; the per-worker ones are arrays indexed by
 * worker, and busy time is in nanoseconds.
 */
public interface KyotoRuntimeMXBean {
    /** {@link RuntimeMetrics#workers()}. */
    int getWorkers();

    /** {@link RuntimeMetrics#aliveTasks()}. */
    long getAliveTasks();

    /** {@link RuntimeMetrics#spawnedTasks()}. */
    long getSpawnedTasks();

    /** {@link RuntimeMetrics#globalQueueDepth()}. */
    long getGlobalQueueDepth();

    /** {@link RuntimeMetrics#workerPolls(int)}, for every worker. */
    long[] getWorkerPolls();

    /** {@link RuntimeMetrics#workerSteals(int)}, for every worker. */
    long[] getWorkerSteals();

    /** {@link RuntimeMetrics#workerParks(int)}, for every worker. */
    long[] getWorkerParks();

    /** {@link RuntimeMetrics#workerBusyTime(int)} in nanoseconds, for every worker. */
    long[] getWorkerBusyTimeNanos();

    /** {@link RuntimeMetrics#workerLocalQueueDepth(int)}, for every worker. */
    long[] getWorkerLocalQueueDepth();

    /** {@link RuntimeMetrics#workerOverflows(int)}, for every worker. */
    long[] getWorkerOverflows();

    /** {@link RuntimeMetrics#pollTimeHistogramEnabled()}. */
    boolean isPollTimeHistogramEnabled();

    /**
     * The poll-time histogram of all workers together: element {@code b} sums
     * {@link RuntimeMetrics#workerPollTimeHistogramBucketCount(int, int)} over the workers for
     * bucket {@code b}; all zeros unless the histogram is enabled.
     */
    long[] getPollTimeHistogram();

    /** {@link RuntimeMetrics#pollTimeHistogramBucketStart(int)} of every bucket, in nanoseconds. */
    long[] getPollTimeHistogramBucketStartNanos();

    /** {@link RuntimeMetrics#blockingThreads()}. */
    long getBlockingThreads();

    /** {@link RuntimeMetrics#idleBlockingThreads()}. */
    long getIdleBlockingThreads();

    /** {@link RuntimeMetrics#blockingQueueDepth()}. */
    long getBlockingQueueDepth();

    /** {@link RuntimeMetrics#timersArmed()}. */
    long getTimersArmed();

    /** {@link RuntimeMetrics#ioRegistrations()}. */
    long getIoRegistrations();

    /** {@link RuntimeMetrics#ioReadyEvents()}. */
    long getIoReadyEvents();

    /** {@link RuntimeMetrics#ioDriverTurns()}. */
    long getIoDriverTurns();

    /** {@link RuntimeMetrics#ioDriverWakeups()}. */
    long getIoDriverWakeups();
}
