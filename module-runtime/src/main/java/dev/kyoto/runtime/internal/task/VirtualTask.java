package dev.kyoto.runtime.internal.task;

import dev.kyoto.runtime.ThrowingSupplier;
import dev.kyoto.runtime.internal.context.RuntimeContext;
import dev.kyoto.runtime.internal.scheduler.SchedulerHandle;

/**
 * Straight-line code run on a virtual thread of its own, with its runtime entered, and its join
 * side: {@code spawnVirtual}.
 *
 * <p>Fields: {@code thread} and {@code body} are final; the thread runs {@link #run()} once.
 * {@code aborted} is set once, by any thread, by {@link #abort()}, which then interrupts the
 * thread; it is never cleared. The virtual thread reads it: before the body starts (an aborted
 * task never runs its body), in every {@code Async.await()} (which fails at once with
 * {@code CancellationException} from then on, so that a body cannot await its way past an
 * abort), and when the body ends, to decide the outcome. The outcome is published once, by the
 * virtual thread, through {@link JoinCell}.
 *
 * <p>An abort that lands after the body ended but before its outcome is published makes the
 * outcome a cancellation, as if it had landed a moment earlier: the joiner asked to stop the
 * task, and it stopped.
 */
public final class VirtualTask<T> extends JoinCell<T> implements Runnable {
    private final SchedulerHandle runtime;
    private final ThrowingSupplier<T> body;
    private final UnhandledFailures unhandled;
    private final VirtualTasks owner;
    private final Thread thread;
    private volatile boolean aborted;

    VirtualTask(String name, ThrowingSupplier<T> body, SchedulerHandle runtime, UnhandledFailures unhandled,
            VirtualTasks owner) {
        super(name);
        this.runtime = runtime;
        this.body = body;
        this.unhandled = unhandled;
        this.owner = owner;
        Thread.Builder.OfVirtual b = Thread.ofVirtual();
        this.thread = (name != null ? b.name(name) : b).unstarted(this);
    }

    /** The virtual thread that runs the body. */
    Thread thread() {
        return thread;
    }

    @Override
    protected void unhandled(Throwable cause) {
        unhandled.report(name(), cause);
    }

    @Override
    public void run() {
        RuntimeContext cx = RuntimeContext.get();
        cx.enter(runtime);
        cx.setVirtualTask(this);
        try {
            if (aborted) {
                completeCancelled();
                return;
            }
            T value;
            try {
                value = body.get();
            } catch (Throwable t) {
                if (aborted) {
                    completeCancelled();
                } else {
                    failWith(t);
                }
                return;
            }
            if (aborted) {
                completeCancelled();
            } else {
                completeWith(value);
            }
        } finally {
            cx.setVirtualTask(null);
            cx.enter(null);
            owner.remove(this);
        }
    }

    /** Whether the task was asked to stop. */
    public boolean isAborted() {
        return aborted;
    }

    /**
     * Asks the body to stop: interrupts its thread, so that an {@code await()} in progress cancels
     * its computation and throws {@code CancellationException}, as does every later one, and the
     * JDK's interruptible waits throw {@code InterruptedException}. The task's outcome is a
     * cancellation unless it had already been published.
     */
    @Override
    public void abort() {
        if (!aborted && !isFinished()) {
            aborted = true;
            thread.interrupt();
        }
    }
}
