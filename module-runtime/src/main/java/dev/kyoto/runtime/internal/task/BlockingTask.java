package dev.kyoto.runtime.internal.task;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Callable;

/**
 * Work for the blocking pool, and its join side.
 *
 * <p>{@code state} moves once from {@code IDLE} to {@code RUNNING} (a pool thread took it) or
 * to {@code DONE} (aborted, or rejected for want of a thread, before it started); the thread that
 * wins that CAS publishes the outcome. A running blocking task cannot be interrupted, as in Tokio.
 */
public final class BlockingTask<T> extends JoinCell<T> implements Runnable {
    private static final int IDLE = 0;
    private static final int RUNNING = 1;
    private static final int DONE = 2;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(BlockingTask.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile int state;
    private final Callable<T> work;
    private final UnhandledFailures unhandled;

    /** Blocking work whose unjoined failure is logged. */
    public BlockingTask(Callable<T> work) {
        this(null, work, UnhandledFailures.LOG_WARN);
    }

    /** Blocking work named {@code name} (null: unnamed) whose unjoined failure goes to {@code unhandled}. */
    public BlockingTask(String name, Callable<T> work, UnhandledFailures unhandled) {
        super(name);
        this.work = work;
        this.unhandled = unhandled;
    }

    @Override
    protected void unhandled(Throwable cause) {
        unhandled.report(name(), cause);
    }

    @Override
    public void run() {
        if (!STATE.compareAndSet(this, IDLE, RUNNING)) {
            return;
        }
        try {
            completeWith(work.call());
        } catch (Throwable t) {
            failWith(t);
        } finally {
            state = DONE;
        }
    }

    @Override
    public void abort() {
        if (STATE.compareAndSet(this, IDLE, DONE)) {
            completeCancelled();
        }
    }

    /** Fails the task with {@code why} if it has not started: no thread is left to run it. */
    public void reject(Exception why) {
        if (STATE.compareAndSet(this, IDLE, DONE)) {
            failWith(why);
        }
    }
}
