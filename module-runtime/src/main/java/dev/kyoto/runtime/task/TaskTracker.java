package dev.kyoto.runtime.task;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Handle;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.Poll;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * Counts the computations and tasks a server has started, so that it can stop taking work and
 * wait for what it has to finish: Tokio's {@code TaskTracker} (tokio-util). It holds no task,
 * only a count, so it costs nothing per finished task and never aborts anything; pair it with a
 * {@link CancellationToken} to ask the tasks to stop, and with a timeout on {@link #drained()} to
 * bound the wait.
 *
 * <pre>{@code
 * TaskTracker connections = new TaskTracker();
 * // accept loop:            connections.spawn(serve(stream));
 * // shutting down:          connections.close();
 * //                         await Time.timeout(grace, connections.drained())
 * }</pre>
 *
 * <p>Every method may be called from any thread. Tokio's tracker can be reopened and keeps
 * accepting tasks after {@code close()}; this one refuses them, so that once it is closed and
 * drained it stays drained.
 *
 * <h2>Concurrency state</h2>
 * <ul>
 *   <li>{@code state}: one atomic word, {@code tasks << 1 | CLOSED}. {@code track} adds a task by
 *       CAS only while {@code CLOSED} is clear; a tracked computation's end subtracts one;
 *       {@code close} sets {@code CLOSED}. Once closed the count only falls, so
 *       {@code state == CLOSED} (closed, no task) is terminal.</li>
 *   <li>{@code drained}: a private {@link CancellationToken}, cancelled exactly once, by whichever
 *       of the last end and {@code close} moves {@code state} to {@code CLOSED}; both read the
 *       word they replaced, so exactly one of them sees the move.</li>
 * </ul>
 */
public final class TaskTracker {
    private static final long CLOSED = 1;
    private static final long ONE_TASK = 2;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(TaskTracker.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile long state;
    private final CancellationToken drained = new CancellationToken();

    /** Creates an open tracker with no task. */
    public TaskTracker() {
    }

    /**
     * Counts {@code computation} from this call until the returned computation ends in any way:
     * with a value, with a failure, or by its {@link Async#cancel()} (an aborted task, a lost
     * race, runtime shutdown). A computation that is never polled to its end nor cancelled stays
     * counted, so drop a tracked computation only by cancelling it.
     *
     * @param computation the work to count
     * @return the same work, counted
     * @throws IllegalStateException if the tracker is closed
     */
    public <T> Async<T> track(Async<T> computation) {
        Objects.requireNonNull(computation, "computation");
        long s = state;
        for (;;) {
            if ((s & CLOSED) != 0) {
                throw new IllegalStateException("this TaskTracker is closed and takes no more tasks: "
                        + "track or spawn every task before calling close(), or use a new TaskTracker");
            }
            long witness = (long) STATE.compareAndExchange(this, s, s + ONE_TASK);
            if (witness == s) {
                return new Tracked<>(this, computation);
            }
            s = witness;
        }
    }

    /**
     * Spawns {@code computation} as a task on the runtime running on this thread
     * ({@link Handle#current()}), counted until the task ends: with a value, with a failure, or
     * cancelled by {@link JoinHandle#abort()} or its runtime's shutdown. The count drops when the
     * task's computation ends, a moment before its handle reports the outcome: join the handle if
     * you need the outcome. To spawn on another runtime, use {@code handle.spawn(tracker.track(c))}.
     *
     * @param computation the task's work
     * @return the task's handle
     * @throws IllegalStateException if the tracker is closed, or no runtime runs on this thread
     */
    public <T> JoinHandle<T> spawn(Async<T> computation) {
        Handle handle = Handle.current();
        return handle.spawn(track(computation));
    }

    /**
     * Spawns {@code computation} as a task named {@code name}, counted as {@link #spawn(Async)}
     * counts it; see {@link Handle#spawn(String, Async)} for what the name is for.
     *
     * @param name the task's name
     * @param computation the task's work
     * @return the task's handle
     * @throws IllegalStateException if the tracker is closed, or no runtime runs on this thread
     */
    public <T> JoinHandle<T> spawn(String name, Async<T> computation) {
        Objects.requireNonNull(name, "name");
        Handle handle = Handle.current();
        return handle.spawn(name, track(computation));
    }

    /**
     * Stops taking tasks: {@link #track} and {@link #spawn} throw from now on, and
     * {@link #drained()} completes once the tasks counted so far have ended. The tasks themselves
     * go on; cancel them through a {@link CancellationToken} if they should stop. Calling it again
     * does nothing.
     */
    public void close() {
        long before = (long) STATE.getAndBitwiseOr(this, CLOSED);
        if (before == 0) {
            drained.cancel();
        }
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return (state & CLOSED) != 0;
    }

    /** How many tracked computations and tasks have not ended yet. */
    public int size() {
        return (int) Math.min(state >>> 1, Integer.MAX_VALUE);
    }

    /**
     * A computation that completes when the tracker is closed and no tracked task is left; ready
     * at once if that is so already. Tokio calls it {@code wait()}, a name Java's
     * {@link Object#wait()} has taken. {@linkplain Async#cancel() Cancelling} it (a timeout that
     * fired, say) leaves nothing registered in the tracker.
     *
     * @return the computation
     */
    public Async<Void> drained() {
        return drained.cancelled();
    }

    @Override
    public String toString() {
        long s = state;
        long tasks = s >>> 1;
        return "TaskTracker[" + ((s & CLOSED) != 0 ? "closed" : "open") + ", " + tasks + (tasks == 1 ? " task]" : " tasks]");
    }

    /** The drain signal; for tests, which count its waiters. */
    CancellationToken drainSignal() {
        return drained;
    }

    /** One tracked computation ended. */
    private void release() {
        long before = (long) STATE.getAndAdd(this, -ONE_TASK);
        if (before == (ONE_TASK | CLOSED)) {
            drained.cancel();
        }
    }

    /**
     * A counted computation: forwards to the one it wraps and releases its count the first time
     * that ends. {@code ended} is the owner's, as the computation is polled and cancelled by one
     * task at a time.
     */
    private static final class Tracked<T> implements Async<T> {
        private final TaskTracker tracker;
        private final Async<T> computation;
        private boolean ended;

        Tracked(TaskTracker tracker, Async<T> computation) {
            this.tracker = tracker;
            this.computation = computation;
        }

        @Override
        public Poll<T> poll(Context cx) throws Exception {
            Poll<T> p;
            try {
                p = computation.poll(cx);
            } catch (Throwable t) {
                end();
                throw t;
            }
            if (p.isReady()) {
                end();
            }
            return p;
        }

        @Override
        public void cancel() {
            if (ended) {
                return;
            }
            try {
                computation.cancel();
            } finally {
                end();
            }
        }

        private void end() {
            if (!ended) {
                ended = true;
                tracker.release();
            }
        }
    }
}
