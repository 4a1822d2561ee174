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
