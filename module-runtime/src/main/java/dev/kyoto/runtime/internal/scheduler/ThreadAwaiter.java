package dev.kyoto.runtime.internal.scheduler;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.internal.context.RuntimeContext;
import dev.kyoto.runtime.internal.task.VirtualTask;
import java.util.concurrent.CancellationException;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code Async.await()}: runs a computation to completion on a thread that may block, a virtual
 * thread above all. The computation is polled on the calling thread; while it is pending the
 * thread parks (a virtual thread unmounts and frees its carrier), and the computation's waker
 * unparks it. The runtime's workers drive the I/O and timers meanwhile, so this needs a
 * multi-thread runtime.
 *
 * <p>One per thread, kept in its {@link RuntimeContext} and used only by that thread, so that an
 * await allocates nothing of its own: the waker and its context serve one await after another.
 * A wake left over from an earlier await (a registration that outlived its computation) costs
 * one extra poll, which the poll model allows. The waker's flag is the only state another thread
 * touches; see {@link BlockOnWaker}.
 *
 * <p>Interruption is the way out: an interrupt while the computation is pending (or already set
 * when it would wait) cancels the computation, which releases what it holds, and throws
 * {@link InterruptedException} with the interrupt status cleared, as the JDK's blocking methods
 * do; in a virtual task that was aborted it throws {@link CancellationException} instead, at
 * once in every later await too.
 */
public final class ThreadAwaiter {
    static final String ON_RUNTIME_THREAD = "await() would block a thread that runs Kyoto tasks (a worker, a task's "
            + "poll, or a thread inside blockOn): inside a task, compose the computation with then(..) instead of "
            + "awaiting it, or run straight-line code on a virtual thread with KyotoRuntime.spawnVirtual";
    static final String NO_RUNTIME = "await() needs a multi-thread Kyoto runtime entered on this thread: start the "
            + "code with KyotoRuntime.spawnVirtual (or Handle.spawnVirtual), which runs it on a virtual thread with the "
            + "runtime entered, or enter one first with handle.enter()";
    static final String CURRENT_THREAD = "await() needs a multi-thread Kyoto runtime: a current-thread runtime polls "
            + "I/O and timers only on the thread inside blockOn, so nothing would wake this thread; build it with "
            + "KyotoRuntime.builder().multiThread(), or run the computation with blockOn";
    static final String SHUT_DOWN = "this Kyoto runtime has been shut down; build a new one to run more work";

    private final BlockOnWaker waker;
    private final Context context;

    /** The awaiter of {@code thread}, which alone may use it. */
    public ThreadAwaiter(Thread thread) {
        this.waker = new BlockOnWaker(thread, null);
        this.context = new Context(waker);
    }

    /**
     * Runs {@code future} to completion on the calling thread; see {@code Async.await()}.
     *
     * @throws Exception the computation's failure, unchanged
     * @throws InterruptedException if the thread was interrupted while the computation was pending
     * @throws CancellationException if the calling virtual task was aborted
     * @throws IllegalStateException if the thread runs Kyoto tasks, or has no multi-thread runtime entered
     */
    public static <T> T await(Async<T> future) throws Exception {
        RuntimeContext cx = RuntimeContext.get();
        if (cx.isDriving()) {
            throw new IllegalStateException(ON_RUNTIME_THREAD);
        }
        SchedulerHandle runtime = cx.scheduler();
        if (runtime == null) {
            throw new IllegalStateException(NO_RUNTIME);
        }
        if (!(runtime instanceof MultiThreadScheduler scheduler)) {
            throw new IllegalStateException(CURRENT_THREAD);
        }
        VirtualTask<?> task = cx.virtualTask();
        if (task != null && task.isAborted()) {
            future.cancel();
            throw aborted();
        }
        if (scheduler.isShutdown()) {
            future.cancel();
            throw new IllegalStateException(SHUT_DOWN);
        }
        return cx.awaiter().run(cx, future, task);
    }

    private <T> T run(RuntimeContext cx, Async<T> future, VirtualTask<?> task) throws Exception {
        BlockOnWaker w = waker;
        w.rearm();
        // Marked as driving while it polls, so that a computation that blocks inside its poll
        // (an await in a map, say) is refused, and a task budget spent in the poll defers its
        // wake to this loop, as on a worker.
        cx.setDriving(true);
        try {
            for (;;) {
                if (w.takeWoken() && Scheduler.pollWithBudget(cx, future, context) instanceof Poll.Ready<T>(T value)) {
                    return value;
                }
                if (cx.hasDeferred()) {
                    // The computation used up its budget: let the carrier run other threads first.
                    cx.wakeDeferred();
                    Thread.yield();
                } else if (!w.isWoken()) {
                    LockSupport.park(this);
                    if (Thread.interrupted()) {
                        future.cancel();
                        if (task != null && task.isAborted()) {
                            throw aborted();
                        }
                        throw new InterruptedException("interrupted while awaiting a Kyoto computation, which was cancelled");
                    }
                }
            }
        } finally {
            cx.setDriving(false);
        }
    }

    private static CancellationException aborted() {
        return new CancellationException("this virtual task was aborted: the computation it awaited was cancelled");
    }
}
