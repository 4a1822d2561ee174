package dev.kyoto.runtime.internal.task;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.Waker;
import dev.kyoto.runtime.internal.context.RuntimeContext;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A spawned computation: its future, its lifecycle, its join side, its own {@link Waker} and
 * the {@link Context} its future is polled with. One object per spawn; waking and polling it
 * allocate nothing.
 *
 * <p>The lifecycle lives in one atomic {@code state} word of flags:
 * <ul>
 *   <li>{@code SCHEDULED}: the task sits in (or is being pushed to) exactly one run queue.</li>
 *   <li>{@code RUNNING}: a thread is polling its future. Set only by the thread that took the
 *       task from a queue (clearing {@code SCHEDULED} in the same CAS), or by shutdown claiming
 *       an idle task.</li>
 *   <li>{@code NOTIFIED}: woken while running; the runner re-schedules it once, when its poll
 *       returns pending.</li>
 *   <li>{@code CANCELLED}: abort requested; whoever runs it next cancels instead of polling.</li>
 *   <li>{@code COMPLETE}: terminal; the outcome is published and the future released.</li>
 * </ul>
 * Invariants: {@code SCHEDULED} and {@code RUNNING} are never both set; a task is pushed to a
 * queue only by the CAS that sets {@code SCHEDULED}, so it is queued at most once; once
 * {@code COMPLETE} is set no other transition happens, so a late wake is a no-op.
 *
 * <p>{@code future}, {@code scopes} and {@code ownedPrev}/{@code ownedNext} are plain fields:
 * the future and the scopes are touched only by the thread holding {@code RUNNING} (scopes are
 * added from inside a poll and ended when the task completes); the owned links are guarded by
 * the owned list's shard lock. {@code queueNext} is written with release and read with acquire
 * semantics: the lock-free inject queue links a node after publishing it (see
 * {@code InjectQueue}); the local queue links overflow batches before handing them over.
 */
public final class Task<T> extends JoinCell<T> implements Waker {
    private static final Logger LOG = LoggerFactory.getLogger(Task.class);

    static final int SCHEDULED = 1;
    static final int RUNNING = 1 << 1;
    static final int NOTIFIED = 1 << 2;
    static final int CANCELLED = 1 << 3;
    static final int COMPLETE = 1 << 4;

    private static final VarHandle STATE;
    private static final VarHandle QUEUE_NEXT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(Task.class, "state", int.class);
            QUEUE_NEXT = l.findVarHandle(Task.class, "queueNext", Task.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile int state;
    private Async<T> future;
    /** What the task owns and ends when it completes: null, one {@link TaskScope}, or a list of them. */
    private Object scopes;
    private final TaskScheduler scheduler;

    /**
     * Links of the scheduler's list of idle-capable tasks, and the shard of that list the task is
     * in (-1: not listed). A task is listed by the thread running it, when its poll first returns
     * pending, and unlisted when it completes; a task that completes in its first poll is never
     * listed (see {@link TaskScheduler#adopt}).
     */
    Task<?> ownedPrev;
    Task<?> ownedNext;
    int ownedShard = -1;
    /** Link of the intrusive run queue the task sits in. */
    private Task<?> queueNext;

    /** Creates an idle, unnamed task; the caller registers it with its owner and then {@link #wake()}s it. */
    public Task(Async<T> future, TaskScheduler scheduler) {
        this(null, future, scheduler);
    }

    /** Creates an idle task named {@code name} (null: unnamed). */
    public Task(String name, Async<T> future, TaskScheduler scheduler) {
        super(name);
        this.future = future;
        this.scheduler = scheduler;
    }

    private boolean cas(int expected, int next) {
        return STATE.compareAndSet(this, expected, next);
    }

    /** The task is its own context: the waker its polls hand out is the task itself. */
    @Override
    public Waker waker() {
        return this;
    }

    /** Schedules the task unless it is already scheduled, running (then it is re-run once), or finished. */
    @Override
    public void wake() {
        for (;;) {
            int s = state;
            if ((s & (COMPLETE | SCHEDULED)) != 0) {
                return;
            }
            if ((s & RUNNING) != 0) {
                if ((s & NOTIFIED) != 0 || cas(s, s | NOTIFIED)) {
                    return;
                }
            } else if (cas(s, s | SCHEDULED)) {
                scheduler.schedule(this);
                return;
            }
        }
    }

    /** Polls the future once; see {@link #run(RuntimeContext)}. */
    public void run() {
        run(RuntimeContext.get());
    }

    /**
     * Polls the future once. Called only by the thread that took this task from a run queue,
     * whose context {@code rc} is. Failures of the future complete the task; they never escape
     * to the scheduler.
     */
    public void run(RuntimeContext rc) {
        int s;
        do {
            s = state;
            if ((s & COMPLETE) != 0) {
                return;
            }
        } while (!cas(s, (s & ~SCHEDULED) | RUNNING));
        // A task that never went idle is not in the owned list, so shutdown cannot mark it: it
        // sees the closing runtime here instead, and is cancelled without another poll.
        if ((s & CANCELLED) != 0 || scheduler.isClosing()) {
            cancelAndComplete();
            return;
        }
        Poll<T> p;
        Task<?> outer = rc.enterTask(this);
        try {
            p = future.poll(this);
        } catch (Throwable t) {
            finish();
            failWith(t);
            return;
        } finally {
            rc.exitTask(outer);
        }
        if (p instanceof Poll.Ready<T>(T value)) {
            finish();
            completeWith(value);
            return;
        }
        if (ownedShard < 0 && !scheduler.adopt(this)) {
            // Going idle on a runtime that shuts down: nothing would ever cancel it later.
            cancelAndComplete();
            return;
        }
        for (;;) {
            s = state;
            if ((s & CANCELLED) != 0) {
                cancelAndComplete();
                return;
            }
            if ((s & NOTIFIED) != 0) {
                if (cas(s, (s & ~(RUNNING | NOTIFIED)) | SCHEDULED)) {
                    scheduler.scheduleYield(this);
                    return;
                }
            } else if (cas(s, s & ~RUNNING)) {
                return;
            }
        }
    }

    @Override
    public void abort() {
        cancel(false);
    }

    /**
     * Cancels the task for runtime shutdown. An idle task is cancelled here, on the calling
     * thread; a scheduled or running one is marked, and cancelled by whoever runs it next (the
     * shutdown drains every queue).
     */
    public void shutdown() {
        cancel(true);
    }

    /**
     * Marks the task cancelled. A scheduled or running task is cancelled by whoever runs it next;
     * an idle one is either scheduled so that its scheduler cancels it ({@code abort}) or claimed
     * and cancelled on this thread ({@code inline}, at shutdown, when no queue will run again).
     */
    private void cancel(boolean inline) {
        for (;;) {
            int s = state;
            if ((s & (COMPLETE | CANCELLED)) != 0) {
                return;
            }
            if ((s & (RUNNING | SCHEDULED)) != 0) {
                if (cas(s, s | CANCELLED)) {
                    return;
                }
            } else if (cas(s, s | CANCELLED | (inline ? RUNNING : SCHEDULED))) {
                if (inline) {
                    cancelAndComplete();
                } else {
                    scheduler.schedule(this);
                }
                return;
            }
        }
    }

    /** Whether the task has been asked to stop. */
    public boolean isCancelled() {
        return (state & CANCELLED) != 0;
    }

    private void cancelAndComplete() {
        Async<T> f = future;
        try {
            f.cancel();
        } catch (Throwable t) {
            LOG.warn("cancel() of aborted task {} ({}) threw, which Async.cancel() forbids; the task is cancelled "
                    + "regardless", name(), f.getClass().getName(), t);
        }
        finish();
        completeCancelled();
    }

    /**
     * Makes {@code scope} end when this task completes. Called only from inside this task's poll,
     * by the thread running it; scopes that have ended already are forgotten here, so a long-lived
     * task that opens many short-lived scopes holds only the live ones.
     */
    @SuppressWarnings("unchecked")
    public void own(TaskScope scope) {
        Object cur = scopes;
        if (cur == null || cur instanceof TaskScope s && s.isClosed()) {
            scopes = scope;
        } else if (cur instanceof TaskScope s) {
            List<TaskScope> list = new ArrayList<>(2);
            list.add(s);
            list.add(scope);
            scopes = list;
        } else {
            List<TaskScope> list = (List<TaskScope>) cur;
            list.removeIf(TaskScope::isClosed);
            list.add(scope);
        }
    }

    @SuppressWarnings("unchecked")
    private void endScopes() {
        Object cur = scopes;
        if (cur == null) {
            return;
        }
        scopes = null;
        if (cur instanceof TaskScope s) {
            s.ownerEnded();
        } else {
            for (TaskScope s : (List<TaskScope>) cur) {
                s.ownerEnded();
            }
        }
    }

    @Override
    protected void unhandled(Throwable cause) {
        scheduler.unhandled(name(), cause);
    }

    private void finish() {
        endScopes();
        state = COMPLETE;
        future = null;
        scheduler.release(this);
    }

    /**
     * The next task in the intrusive run queue this task sits in. An acquiring read: the task
     * linked here, and what its pusher wrote before linking it, are visible to the reader.
     */
    public Task<?> queueNext() {
        return (Task<?>) QUEUE_NEXT.getAcquire(this);
    }

    /** Links the next task in the intrusive run queue; a releasing write (see {@link #queueNext()}). */
    public void setQueueNext(Task<?> next) {
        QUEUE_NEXT.setRelease(this, next);
    }
}
