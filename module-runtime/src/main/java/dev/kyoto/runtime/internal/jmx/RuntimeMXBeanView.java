package dev.kyoto.runtime.internal.jmx;

import dev.kyoto.runtime.KyotoRuntimeMXBean;
import dev.kyoto.runtime.RuntimeMetrics;
import java.util.function.IntToLongFunction;

/** The MXBean of one runtime: each attribute read from its {@link RuntimeMetrics} when asked. */
public final class RuntimeMXBeanView implements KyotoRuntimeMXBean {
    private final RuntimeMetrics metrics;

    public RuntimeMXBeanView(RuntimeMetrics metrics) {
        this.metrics = metrics;
    }

    private long[] perWorker(IntToLongFunction metric) {
        long[] values = new long[metrics.workers()];
        for (int i = 0; i < values.length; i++) {
            values[i] = metric.applyAsLong(i);
        }
        return values;
    }

    @Override
    public int getWorkers() {
        return metrics.workers();
    }

    @Override
    public long getAliveTasks() {
        return metrics.aliveTasks();
    }

    @Override
    public long getSpawnedTasks() {
        return metrics.spawnedTasks();
    }

    @Override
    public long getGlobalQueueDepth() {
        return metrics.globalQueueDepth();
    }

    @Override
    public long[] getWorkerPolls() {
        return perWorker(metrics::workerPolls);
    }

    @Override
    public long[] getWorkerSteals() {
        return perWorker(metrics::workerSteals);
    }

    @Override
    public long[] getWorkerParks() {
        return perWorker(metrics::workerParks);
    }

    @Override
    public long[] getWorkerBusyTimeNanos() {
        return perWorker(i -> metrics.workerBusyTime(i).toNanos());
    }

    @Override
    public long[] getWorkerLocalQueueDepth() {
        return perWorker(metrics::workerLocalQueueDepth);
    }

    @Override
    public long[] getWorkerOverflows() {
        return perWorker(metrics::workerOverflows);
    }

    @Override
    public boolean isPollTimeHistogramEnabled() {
        return metrics.pollTimeHistogramEnabled();
    }

    @Override
    public long[] getPollTimeHistogram() {
        long[] sums = new long[metrics.pollTimeHistogramBuckets()];
        for (int i = 0; i < metrics.workers(); i++) {
            for (int b = 0; b < sums.length; b++) {
                sums[b] += metrics.workerPollTimeHistogramBucketCount(i, b);
            }
        }
        return sums;
    }

    @Override
    public long[] getPollTimeHistogramBucketStartNanos() {
        long[] starts = new long[metrics.pollTimeHistogramBuckets()];
        for (int b = 0; b < starts.length; b++) {
            starts[b] = metrics.pollTimeHistogramBucketStart(b).toNanos();
        }
        return starts;
    }

    @Override
    public long getBlockingThreads() {
        return metrics.blockingThreads();
    }

    @Override
    public long getIdleBlockingThreads() {
        return metrics.idleBlockingThreads();
    }

    @Override
    public long getBlockingQueueDepth() {
        return metrics.blockingQueueDepth();
    }

    @Override
    public long getTimersArmed() {
        return metrics.timersArmed();
    }

    @Override
    public long getIoRegistrations() {
        return metrics.ioRegistrations();
    }

    @Override
    public long getIoReadyEvents() {
        return metrics.ioReadyEvents();
    }

    @Override
    public long getIoDriverTurns() {
        return metrics.ioDriverTurns();
    }

    @Override
    public long getIoDriverWakeups() {
        return metrics.ioDriverWakeups();
    }
}
