package dev.kyoto.runtime.internal.scheduler;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Handle;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.internal.blocking.BlockingPool;
import dev.kyoto.runtime.internal.context.RuntimeContext;
import dev.kyoto.runtime.internal.driver.Driver;
import dev.kyoto.runtime.internal.task.BlockingTask;
import dev.kyoto.runtime.internal.task.OwnedTasks;
import dev.kyoto.runtime.internal.task.Task;
import dev.kyoto.runtime.internal.task.TaskScheduler;
import dev.kyoto.runtime.internal.task.UnhandledFailures;
import dev.kyoto.runtime.spi.DriverHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.LongAdder;

/**
 * What both scheduler flavours share: the driver stack, the blocking pool, the list of tasks
 * that may go idle, and the rules for spawning and for who may block or shut down.
 *
 * <p>Shutdown must cancel every live task. A live task is queued, running, or idle (its last
 * poll returned pending and nothing has woken it since). Idle tasks are found through
 * {@code owned}, which lists every task whose poll has once returned pending ({@link #adopt});
 * queued ones through the queues shutdown drains; and {@code closing}, set before the list is
 * closed, makes a queued or running task that is not listed cancel itself when it is next taken
 * or would go idle (see {@code Task.run}).
 */
abstract sealed class Scheduler implements SchedulerHandle, TaskScheduler, SchedulerMetrics
        permits CurrentThreadScheduler, MultiThreadScheduler {
    final Driver driver;
    final BlockingPool blocking;
    final OwnedTasks owned = new OwnedTasks();
    /**
     * Tasks started, and tasks completed: striped counters, since tasks start and complete on
     * every thread; summed only when metrics are read.
     */
    private final LongAdder spawned = new LongAdder();
    private final LongAdder completed = new LongAdder();
    private final UnhandledFailures unhandled;
    /**
     * The runtime's public handle: written by whichever thread first asks for it, read by any.
     * A plain field: a {@link Handle} is immutable (final fields), so a racy read sees it whole
     * or sees null and makes an equal one.
     */
    private Handle handle;
    /**
     * Set once, by the first {@link #cancelAll} (on the shutting thread, or a thread that drives a
     * current-thread runtime and sees it shut down); read by every thread that starts or runs a
     * task. Never cleared.
     */
    private volatile boolean closing;

    Scheduler(Driver driver, BlockingPool blocking, UnhandledFailures unhandled) {
        this.driver = driver;
        this.blocking = blocking;
        this.unhandled = unhandled;
    }

    @Override
    public final Handle handle() {
        return handle;
    }

    @Override
    public final void setHandle(Handle handle) {
        this.handle = handle;
    }

    @Override
    public final DriverHandle driverHandle() {
        return driver.handle();
    }

    @Override
    public final Driver driver() {
        return driver;
    }

    @Override
    public final <T> JoinHandle<T> spawn(String name, Async<T> future) {
        return start(newTask(name, future));
    }

    @Override
    public final <T> Task<T> newTask(String name, Async<T> future) {
        return new Task<>(name, future, this);
    }

    /**
     * Starts {@code task}. It is not listed among the tasks shutdown cancels until its first poll
     * returns pending ({@link #adopt}): most tasks complete in their first poll and never touch
     * the list's locks. Until then it is queued or running, and shutdown reaches it through the
     * queues it drains and {@link #isClosing()}.
     */
    @Override
    public final <T> Task<T> start(Task<T> task) {
        spawned.increment();
        if (closing) {
            // Shut down: the handle reports cancellation, and the future's cancel() still runs.
            task.shutdown();
            return task;
        }
        task.wake();
        return task;
    }

    @Override
    public final boolean adopt(Task<?> task) {
        return owned.bind(task);
    }

    @Override
    public final boolean isClosing() {
        return closing;
    }

    @Override
    public final <T> JoinHandle<T> spawnBlocking(String name, Callable<T> work) {
        BlockingTask<T> task = new BlockingTask<>(name, work, unhandled);
        blocking.submit(task);
        return task;
    }

    @Override
    public final void release(Task<?> task) {
        completed.increment();
        owned.remove(task);
    }

    @Override
    public final void unhandled(String taskName, Throwable failure) {
        unhandled.report(taskName, failure);
    }

    /** Whether shutdown has begun. */
    abstract boolean isShutdown();

    @Override
    public final SchedulerMetrics metrics() {
        return this;
    }

    @Override
    public final long spawnedTasks() {
        return spawned.sum();
    }

    @Override
    public final long aliveTasks() {
        // Completions are read first: a task that completes between the two reads is then still
        // counted alive, never counted below zero.
        long done = completed.sum();
        return Math.max(0, spawned.sum() - done);
    }

    /** The phrase for a blocking pool whose {@code threads} threads did not all stop in time. */
    static String blockingStillRunning(int threads) {
        return "blocking work still running on " + threads + (threads == 1 ? " thread" : " threads");
    }

    @Override
    public final long blockingThreads() {
        return blocking.threadCount();
    }

    @Override
    public final long idleBlockingThreads() {
        return blocking.idleThreadCount();
    }

    @Override
    public final long blockingQueueDepth() {
        return blocking.queueDepth();
    }

    @Override
    public final long timersArmed() {
        return driver.timersArmed();
    }

    /** Refuses a {@code blockOn} that would stall a runtime thread, or run on a dead runtime. */
    final void checkMayBlock(RuntimeContext cx) {
        if (cx.isDriving()) {
            throw new IllegalStateException("cannot block a thread that drives asynchronous tasks: blockOn was called "
                    + "from inside a Kyoto task or blockOn; await the computation from the task instead (for example with then(..))");
        }
        if (isShutdown()) {
            throw new IllegalStateException("this Kyoto runtime has been shut down; build a new one to run more work");
        }
    }

    /** Refuses a shutdown from a thread that the runtime itself drives. */
    static void checkMayShutDown() {
        if (RuntimeContext.get().isDriving()) {
            throw new IllegalStateException("cannot shut a Kyoto runtime down from a thread that drives its tasks; "
                    + "close it from the thread that built it, after blockOn returned");
        }
    }

    /** Polls the computation of a {@code blockOn} with a fresh cooperative budget. */
    static <T> Poll<T> pollWithBudget(RuntimeContext cx, Async<T> future, Context pollCx) throws Exception {
        int saved = cx.startBudget();
        try {
            return future.poll(pollCx);
        } finally {
            cx.restoreBudget(saved);
        }
    }

    /**
     * Starts a shutdown on the calling thread: refuses further spawns and marks every live task
     * cancelled (an idle one is cancelled here); then closes {@code inject}, so that later
     * schedules cancel their task on the spot. The caller drains the queues afterwards.
     */
    final void cancelAll(InjectQueue inject) {
        // Before the list closes: a task that is not listed and runs after this is cancelled by
        // the thread running it (Task.run), and one that goes idle after it finds the list closed.
        closing = true;
        for (Task<?> t : owned.close()) {
            t.shutdown();
        }
        inject.close();
    }

    /** Runs, and so cancels, every task left in {@code inject}; then shuts the driver down. */
    final void drainAndStopDriver(InjectQueue inject) {
        for (Task<?> t = inject.pop(); t != null; t = inject.pop()) {
            t.run();
        }
        driver.shutdown();
    }

    /** Cancels a task on the calling thread, because the queues it would go to are closed. */
    static void cancelNow(Task<?> task) {
        task.shutdown();
        task.run();
    }
}
