package dev.kyoto.runtime.internal.task;

import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.Waker;
import dev.kyoto.runtime.internal.context.RuntimeContext;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * The join side of a task: where its outcome is published and who is woken when it is. It is
 * also the task's {@link Context} (see {@link Task}), so that a spawn is one object. A handle
 * is an ordinary object that any number of tasks and threads may hold and poll at once; every one
 * of them is woken when the outcome is published.
 *
 * <h2>State</h2>
 * <ul>
 *   <li>{@code joiners}: one word, changed only by CAS (joiners register, detach prunes) and by
 *       the single {@code getAndSet} that publishes. It holds {@code null} (nobody waits), one
 *       {@link Waker} (the common case: no allocation), a {@code Waker[]} of two or more distinct
 *       wakers (copy-on-write: an array is never changed once installed), or {@code DONE}, which
 *       is terminal and means the outcome is published.</li>
 *   <li>{@code outcome}: the value, or a {@link Failure}; a plain field, written once by the
 *       completing thread before it installs {@code DONE}, read only after reading {@code DONE}
 *       (the volatile write and read order them).</li>
 *   <li>{@code stage}: volatile; the bridge future, installed once by CAS on demand. The completer
 *       installs {@code DONE} then reads {@code stage}; the installer sets {@code stage} then reads
 *       {@code joiners}: one of them settles it, maybe both (completing twice is harmless).</li>
 *   <li>{@code name}: final; the name given at spawn, or null.</li>
 * </ul>
 *
 * <h2>Unjoined failures</h2>
 * A failure published while nobody waits (no joiner in the set and no bridge future) goes at once,
 * on the completing thread, to {@link #unhandled(Throwable)}: the runtime's handler for unhandled
 * task failures. The outcome is kept, so a later join still sees the failure.
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>No lost wake: registering and publishing are decided on the same word. A registration's
 *       CAS either lands before {@code DONE} (then the completer's {@code getAndSet} returns it
 *       and wakes it) or finds {@code DONE} (then the poll returns the outcome).</li>
 *   <li>A waker is held at most once (by identity): a joiner that polls again with the same waker,
 *       as a task always does, changes nothing and allocates nothing.</li>
 *   <li>A waker leaves the set only by being woken (publication, detach) or because it is a task
 *       that has finished, which no wake could help. A waker left behind after its joiner lost
 *       interest costs one spurious wake, which the poll model allows.</li>
 * </ul>
 *
 * <h2>Bounds</h2>
 * Every registration of a new waker copies the array without the tasks that have finished, so
 * short-lived tasks that poll a long-lived handle and go away are dropped by the next one.
 * {@link #cancel() Detach} takes no joiner, so it cannot tell whose interest ended: it keeps the
 * tasks that are still alive (bounded by the live tasks, each held once) and drops and wakes every
 * other waker ({@code blockOn}'s, one per call, and hand-written ones, which give no sign of
 * having gone away); any of those still waiting polls again and re-registers. The set therefore
 * holds at most the live tasks that polled the handle plus the other wakers registered since the
 * last detach. Copying makes {@code n} distinct joiners cost {@code O(n²)} in all; a handle has
 * few joiners.
 */
public abstract sealed class JoinCell<T> extends Context implements JoinHandle<T> permits Task, BlockingTask, VirtualTask {
    private static final VarHandle JOINERS;
    private static final VarHandle STAGE;
    /** What {@code joiners} holds once the outcome is published. */
    private static final Object DONE = new Object();

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            JOINERS = l.findVarHandle(JoinCell.class, "joiners", Object.class);
            STAGE = l.findVarHandle(JoinCell.class, "stage", CompletableFuture.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A failed or cancelled outcome. */
    private record Failure(Throwable cause) {
    }

    private static final Failure CANCELLED = new Failure(null);

    /**
     * The bridge handed out by {@link #toCompletableFuture()}: cancelling it aborts the task.
     * Futures derived from it are plain, as the JDK makes them: cancelling those does not reach
     * back here.
     */
    private static final class Bridge<T> extends CompletableFuture<T> {
        private final JoinCell<T> cell;

        Bridge(JoinCell<T> cell) {
            this.cell = cell;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                cell.abort();
            }
            return cancelled;
        }
    }

    private final String name;
    private Object outcome;
    private volatile Object joiners;
    private volatile CompletableFuture<T> stage;

    /** A cell for a task named {@code name}, or unnamed when it is null. */
    protected JoinCell(String name) {
        this.name = name;
    }

    /**
     * What this cell gives as a {@link Context}: a task overrides it with itself. Blocking and
     * virtual tasks are never polled, so their context, reachable only by casting the handle,
     * wakes nothing.
     */
    @Override
    public Waker waker() {
        return Waker.noop();
    }

    @Override
    public final String name() {
        return name != null ? name : "task-" + Integer.toHexString(System.identityHashCode(this));
    }

    /**
     * Reports a failure that was published while nobody was waiting for it, to the runtime's
     * handler for unhandled task failures. Called on the completing thread; must not throw.
     */
    protected abstract void unhandled(Throwable cause);

    /** Publishes a value and wakes the joiners. */
    protected final void completeWith(T value) {
        publish(value);
    }

    /** Publishes a failure and wakes the joiners. */
    protected final void failWith(Throwable cause) {
        publish(new Failure(cause));
    }

    /** Publishes cancellation and wakes the joiners. */
    protected final void completeCancelled() {
        publish(CANCELLED);
    }

    private void publish(Object result) {
        outcome = result;
        Object waiting = JOINERS.getAndSet(this, DONE);
        CompletableFuture<T> s = stage;
        if (waiting == null && s == null && result instanceof Failure f && f != CANCELLED) {
            unhandled(f.cause());
            return;
        }
        try {
            wakeAll(waiting, false);
        } finally {
            if (s != null) {
                settle(s);
            }
        }
    }

    @Override
    public final Poll<T> poll(Context cx) throws Exception {
        RuntimeContext rc = RuntimeContext.get();
        if (!rc.spend(cx.waker())) {
            return Poll.pending();
        }
        if (joiners != DONE) {
            if (register(cx.waker())) {
                rc.refund();
                return Poll.pending();
            }
        }
        return Poll.ready(outcome());
    }

    /** Adds {@code w} to the joiners unless it is there; false once the outcome is published. */
    private boolean register(Waker w) {
        for (;;) {
            Object cur = joiners;
            if (cur == DONE) {
                return false;
            }
            if (cur == w) {
                return true;
            }
            Object next;
            if (cur == null) {
                next = w;
            } else if (cur instanceof Waker[] all) {
                for (Waker x : all) {
                    if (x == w) {
                        return true;
                    }
                }
                next = adding(all, w);
            } else {
                next = isFinishedTask(cur) ? w : new Waker[] {(Waker) cur, w};
            }
            if (JOINERS.compareAndSet(this, cur, next)) {
                return true;
            }
        }
    }

    /** {@code all} without the tasks that have finished, plus {@code w}. */
    private static Object adding(Waker[] all, Waker w) {
        int live = 0;
        for (Waker x : all) {
            if (!isFinishedTask(x)) {
                live++;
            }
        }
        if (live == 0) {
            return w;
        }
        Waker[] next = new Waker[live + 1];
        int i = 0;
        for (Waker x : all) {
            if (!isFinishedTask(x)) {
                next[i++] = x;
            }
        }
        next[i] = w;
        return next;
    }

    private static boolean isFinishedTask(Object w) {
        return w instanceof Task<?> t && t.isFinished();
    }

    private static boolean isLiveTask(Object w) {
        return w instanceof Task<?> t && !t.isFinished();
    }

    /** What detach keeps of {@code cur}: its live tasks; {@code cur} itself if that is all of it. */
    private static Object kept(Object cur) {
        if (!(cur instanceof Waker[] all)) {
            return isLiveTask(cur) ? cur : null;
        }
        int live = 0;
        Waker last = null;
        for (Waker x : all) {
            if (isLiveTask(x)) {
                live++;
                last = x;
            }
        }
        if (live == all.length) {
            return cur;
        }
        if (live <= 1) {
            return last;
        }
        Waker[] next = new Waker[live];
        int i = 0;
        for (Waker x : all) {
            if (isLiveTask(x)) {
                next[i++] = x;
            }
        }
        return next;
    }

    /**
     * Wakes every waker in {@code set} (null, one waker or an array), or with {@code skipTasks}
     * every one that is not a task. A waker that throws does not keep the others asleep; the
     * first failure is rethrown once all are woken.
     */
    private static void wakeAll(Object set, boolean skipTasks) {
        if (set == null) {
            return;
        }
        if (!(set instanceof Waker[] all)) {
            if (!(skipTasks && set instanceof Task)) {
                ((Waker) set).wake();
            }
            return;
        }
        RuntimeException failure = null;
        for (Waker w : all) {
            if (skipTasks && w instanceof Task) {
                continue;
            }
            try {
                w.wake();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Adds {@code w} to the joiners, to be woken when the outcome is published, as a poll would
     * but without spending the running task's budget; false if it is published already.
     */
    public final boolean watch(Waker w) {
        return register(w);
    }

    /**
     * The outcome of a finished task: its value, its failure rethrown, or
     * {@link CancellationException}.
     *
     * @throws IllegalStateException if the task has not finished
     */
    public final T outcomeNow() throws Exception {
        if (joiners != DONE) {
            throw new IllegalStateException("the task has not finished; wait for it before asking for its outcome");
        }
        return outcome();
    }

    @SuppressWarnings("unchecked")
    private T outcome() throws Exception {
        Object o = outcome;
        if (o instanceof Failure f) {
            if (f == CANCELLED) {
                throw new CancellationException("task was cancelled");
            }
            if (f.cause() instanceof Exception e) {
                throw e;
            }
            if (f.cause() instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException(f.cause());
        }
        return (T) o;
    }

    @Override
    public final boolean isFinished() {
        return joiners == DONE;
    }

    @Override
    public final CompletableFuture<T> toCompletableFuture() {
        CompletableFuture<T> s = stage;
        if (s == null) {
            CompletableFuture<T> fresh = new Bridge<>(this);
            s = STAGE.compareAndSet(this, null, fresh) ? fresh : stage;
        }
        if (joiners == DONE) {
            settle(s);
        }
        return s;
    }

    private void settle(CompletableFuture<T> s) {
        try {
            s.complete(outcome());
        } catch (Throwable t) {
            s.completeExceptionally(t);
        }
    }

    /**
     * Detaches. The caller is not named, so this keeps the live tasks among the joiners and drops
     * and wakes the other wakers: whichever of them still waits polls again (see the class
     * comment).
     */
    @Override
    public final void cancel() {
        for (;;) {
            Object cur = joiners;
            if (cur == null || cur == DONE) {
                return;
            }
            Object next = kept(cur);
            if (next == cur) {
                return;
            }
            if (JOINERS.compareAndSet(this, cur, next)) {
                // The tasks dropped had finished: only the other wakers need telling.
                wakeAll(cur, true);
                return;
            }
        }
    }

    /** The wakers waiting for the outcome, for tests. */
    final int joinerCount() {
        Object cur = joiners;
        return cur == null || cur == DONE ? 0 : cur instanceof Waker[] all ? all.length : 1;
    }
}
