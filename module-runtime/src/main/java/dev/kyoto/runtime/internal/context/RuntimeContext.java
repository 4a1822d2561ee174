package dev.kyoto.runtime.internal.context;

import dev.kyoto.runtime.Waker;
import dev.kyoto.runtime.internal.scheduler.SchedulerHandle;
import dev.kyoto.runtime.internal.scheduler.ThreadAwaiter;
import dev.kyoto.runtime.internal.scheduler.Worker;
import dev.kyoto.runtime.internal.task.Task;
import dev.kyoto.runtime.internal.task.VirtualTask;

/**
 * The per-thread runtime context: which runtime this thread has entered, whether the thread is
 * driving tasks right now (and as which worker), the running task's cooperative budget, and the
 * wakers deferred until the scheduler next polls its driver, the task being polled, and what
 * {@code Async.await()} needs on this thread.
 *
 * <p>Every field is read and written only by the thread that owns the context, so none is
 * volatile. The deferred wakers of a multi-thread worker are the worker's: a watching worker may
 * take them from a worker that has stalled, which {@link DeferredWakers} allows for.
 */
public final class RuntimeContext {
    private static final ThreadLocal<RuntimeContext> CURRENT = ThreadLocal.withInitial(RuntimeContext::new);

    /** The budget of a poll outside any task: unlimited. */
    public static final int UNCONSTRAINED = -1;
    /** The budget each task poll starts with. */
    public static final int INITIAL_BUDGET = 128;

    static final String NO_RUNTIME = "no Kyoto runtime is running on this thread: call this from a task, "
            + "from inside KyotoRuntime.blockOn, or after entering a runtime with handle.enter()";

    /** The runtime this thread has entered, or null. */
    private SchedulerHandle scheduler;
    /** True while this thread polls tasks for a scheduler; blocking it then would stall them. */
    private boolean driving;
    /** Whether this thread parks on its runtime's driver or flushes it before it sleeps: a worker, or a current-thread core's holder. */
    private boolean drivesIo;
    /** The multi-thread worker this thread is, while it runs as one. */
    private Worker worker;
    /** The task whose future this thread is polling, or null. */
    private Task<?> task;
    /** Units of work the running task may still do before it must yield; UNCONSTRAINED outside tasks. */
    private int budget = UNCONSTRAINED;
    /** This thread's own deferred wakers, used while it is not a multi-thread worker. */
    private final DeferredWakers ownDeferred = new DeferredWakers();
    /** Wakers of tasks that yielded; woken after the scheduler's next driver poll. A worker's are its own. */
    private DeferredWakers deferred = ownDeferred;
    /** The virtual task whose body this thread runs, or null. */
    private VirtualTask<?> virtualTask;
    /** What {@code Async.await()} parks and wakes this thread with; made by its first await. */
    private ThreadAwaiter awaiter;

    private RuntimeContext() {
    }

    /** This thread's context. */
    public static RuntimeContext get() {
        return CURRENT.get();
    }

    /**
     * The runtime this thread has entered.
     *
     * @throws IllegalStateException if there is none, saying how to get one
     */
    public static SchedulerHandle current() {
        SchedulerHandle s = CURRENT.get().scheduler;
        if (s == null) {
            throw new IllegalStateException(NO_RUNTIME);
        }
        return s;
    }

    /** The runtime this thread has entered, or null. */
    public static SchedulerHandle currentOrNull() {
        return CURRENT.get().scheduler;
    }

    /** Enters {@code s} on this thread and returns the runtime entered before, to restore later. */
    public SchedulerHandle enter(SchedulerHandle s) {
        SchedulerHandle previous = scheduler;
        scheduler = s;
        return previous;
    }

    /** The runtime this thread has entered, or null. */
    public SchedulerHandle scheduler() {
        return scheduler;
    }

    /** Marks whether this thread is driving tasks; returns the previous mark. */
    public boolean setDriving(boolean value) {
        boolean previous = driving;
        driving = value;
        return previous;
    }

    /** Whether this thread is driving tasks. */
    public boolean isDriving() {
        return driving;
    }

    /** Marks whether this thread parks on the runtime's driver, or flushes it, before it sleeps. */
    public void setDrivesIo(boolean value) {
        drivesIo = value;
    }

    /** Whether this thread parks on the runtime's driver, or flushes it, before it sleeps. */
    public boolean drivesIo() {
        return drivesIo;
    }

    /** The worker this thread runs as, or null. */
    public Worker worker() {
        return worker;
    }

    /** Sets the worker this thread runs as (null when it stops), and the deferred wakers that go with it. */
    public void setWorker(Worker w, DeferredWakers workerDeferred) {
        worker = w;
        deferred = w != null ? workerDeferred : ownDeferred;
    }

    /** Marks {@code t} as the task being polled on this thread; returns the one to restore afterwards. */
    public Task<?> enterTask(Task<?> t) {
        Task<?> previous = task;
        task = t;
        return previous;
    }

    /** Restores the task saved by {@link #enterTask}. */
    public void exitTask(Task<?> previous) {
        task = previous;
    }

    /** The task being polled on this thread, or null outside a task's poll (in {@code blockOn}, say). */
    public Task<?> task() {
        return task;
    }

    /** Marks this thread as running the body of {@code t} (null when it ends). */
    public void setVirtualTask(VirtualTask<?> t) {
        virtualTask = t;
    }

    /** The virtual task whose body this thread runs, or null. */
    public VirtualTask<?> virtualTask() {
        return virtualTask;
    }

    /** This thread's awaiter, made on first use and kept: an await allocates nothing of its own. */
    public ThreadAwaiter awaiter() {
        ThreadAwaiter a = awaiter;
        if (a == null) {
            a = new ThreadAwaiter(Thread.currentThread());
            awaiter = a;
        }
        return a;
    }

    /** Starts a task poll's budget; returns the budget to restore afterwards. */
    public int startBudget() {
        int previous = budget;
        budget = INITIAL_BUDGET;
        return previous;
    }

    /** Restores the budget saved by {@link #startBudget()}. */
    public void restoreBudget(int previous) {
        budget = previous;
    }

    /**
     * Spends one unit of the running task's budget. When none is left, defers {@code waker} until
     * the scheduler's next driver poll and returns false: the caller then reports pending.
     */
    public boolean spend(Waker waker) {
        int b = budget;
        if (b == UNCONSTRAINED) {
            return true;
        }
        if (b == 0) {
            deferWaker(waker);
            return false;
        }
        budget = b - 1;
        return true;
    }

    /** Gives back a unit spent by an operation that then made no progress. */
    public void refund() {
        if (budget != UNCONSTRAINED && budget < INITIAL_BUDGET) {
            budget++;
        }
    }

    /** Whether the running task may still do work before it must yield. */
    public boolean hasBudget() {
        return budget != 0;
    }

    /**
     * Defers {@code waker} until this thread's scheduler next polls its driver, or wakes it at
     * once when this thread is not driving tasks.
     */
    public static void defer(Waker waker) {
        CURRENT.get().deferWaker(waker);
    }

    private void deferWaker(Waker waker) {
        if (driving) {
            deferred.add(waker);
        } else {
            waker.wake();
        }
    }

    /** Whether a task yielded and waits for the next driver poll. */
    public boolean hasDeferred() {
        return !deferred.isEmpty();
    }

    /** Wakes every deferred waker. Called by the scheduler right after it polled its driver. */
    public void wakeDeferred() {
        deferred.wakeAll();
    }
}
