package dev.kyoto.runtime.internal.scheduler;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Handle;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.ThrowingSupplier;
import dev.kyoto.runtime.internal.driver.Driver;
import dev.kyoto.runtime.internal.task.Task;
import dev.kyoto.runtime.spi.DriverHandle;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The scheduler behind a runtime's {@code Handle}: one implementation per flavour. It owns the
 * runtime's driver stack and blocking pool.
 */
public sealed interface SchedulerHandle permits Scheduler {

    /** Spawns {@code future} as a task named {@code name} (null: unnamed); after shutdown the handle reports cancellation. */
    <T> JoinHandle<T> spawn(String name, Async<T> future);

    /**
     * A task for {@code future} named {@code name} (null: unnamed), not started yet: the caller
     * may watch its join side before it can run, then {@link #start}s it.
     */
    <T> Task<T> newTask(String name, Async<T> future);

    /** Starts a task made by {@link #newTask}; after shutdown it is cancelled at once. */
    <T> Task<T> start(Task<T> task);

    /** Runs {@code work} on the blocking pool as a task named {@code name} (null: unnamed); after shutdown the handle reports cancellation. */
    <T> JoinHandle<T> spawnBlocking(String name, Callable<T> work);

    /**
     * Runs {@code body} on a new virtual thread with this runtime entered, as a task named
     * {@code name} (null: unnamed); after shutdown the body never runs and the handle reports
     * cancellation.
     *
     * @throws IllegalStateException on a current-thread runtime, which cannot wake a virtual thread
     */
    <T> JoinHandle<T> spawnVirtual(String name, ThrowingSupplier<T> body);

    /** Polls {@code future} to completion on the calling thread, driving the runtime meanwhile. */
    <T> T blockOn(Async<T> future) throws Exception;

    /** The runtime's public handle, once one was made; null before. */
    Handle handle();

    /** Keeps the runtime's public handle, so that every later {@code Handle.current()} returns it. */
    void setHandle(Handle handle);

    /** The runtime's counters. */
    SchedulerMetrics metrics();

    /** What driver modules see of this runtime. */
    DriverHandle driverHandle();

    /** The runtime's driver stack: its timers and clock. */
    Driver driver();

    /**
     * Shuts the runtime down: refuses spawns, cancels every task, shuts the driver down and waits
     * at most {@code timeoutNanos} (negative: without limit) for blocking work still running.
     *
     * @return what was still running when the timeout ran out, one phrase each ("1 worker thread
     *         still in a task's poll"); empty when everything stopped, and for any call but the first
     */
    List<String> shutdown(long timeoutNanos);
}
