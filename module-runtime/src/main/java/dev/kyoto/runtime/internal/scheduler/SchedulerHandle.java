package dev.kyoto.runtime.internal.scheduler;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.internal.driver.Driver;
import dev.kyoto.runtime.spi.DriverHandle;
import java.util.concurrent.Callable;

/**
 * The scheduler behind a runtime's {@code Handle}: one implementation per flavour. It owns the
 * runtime's driver stack and blocking pool.
 */
public sealed interface SchedulerHandle permits Scheduler {

    /** Spawns {@code future} as a task; after shutdown the handle reports cancellation. */
    <T> JoinHandle<T> spawn(Async<T> future);

    /** Runs {@code work} on the blocking pool; after shutdown the handle reports cancellation. */
    <T> JoinHandle<T> spawnBlocking(Callable<T> work);

    /** Polls {@code future} to completion on the calling thread, driving the runtime meanwhile. */
    <T> T blockOn(Async<T> future) throws Exception;

    /** What driver modules see of this runtime. */
    DriverHandle driverHandle();

    /** The runtime's driver stack: its timers and clock. */
    Driver driver();

    /**
     * Shuts the runtime down: refuses spawns, cancels every task, shuts the driver down and waits
     * at most {@code timeoutNanos} (negative: without limit) for blocking work still running.
     */
    void shutdown(long timeoutNanos);
}
