package dev.kyoto.runtime.task;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.Waker;
import dev.kyoto.runtime.internal.context.RuntimeContext;
import dev.kyoto.runtime.internal.scheduler.SchedulerHandle;
import dev.kyoto.runtime.internal.task.JoinCell;
import dev.kyoto.runtime.internal.task.Task;
import dev.kyoto.runtime.internal.task.TaskScope;
import dev.kyoto.runtime.sync.Notify;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Tasks that belong together, and end together: Tokio's {@code JoinSet}, with an owner.
 *
 * <pre>{@code
 * // inside a task: fetch three things at once, fail fast, leave nothing running
 * Async<List<byte[]>> all = Async.using(TaskGroup.<byte[]>open(), group -> {
 *     for (String key : keys) {
 *         group.spawn("fetch " + key, fetch(key));
 *     }
 *     return group.joinAll();
 * });
 * }</pre>
 *
 * <p><b>Ownership.</b> A group opened inside a task belongs to that task: when the task ends in
 * any way (it finishes, fails, is aborted, or its runtime shuts down) the group is
 * {@linkplain #close() closed} and whatever still runs in it is aborted. A group opened outside a
 * task (in {@code blockOn}, say) has no owner; close it yourself, best with
 * {@link Async#using}. To start a task that outlives its starter, spawn it on the
 * {@link dev.kyoto.runtime.Handle} instead.
 *
 * <p><b>Joining.</b> {@link #joinNext()} gives the outcome of the next member to finish, in the
 * order they finish; {@link #joinAll()} all of them. A member's outcome is handled by the group:
 * a member that fails is never reported as an unhandled failure, and its failure is what
 * {@code joinNext} throws. A member aborted (by {@link #abortAll()}, its own handle, or shutdown)
 * is joined as a {@link CancellationException}. {@link #size()} counts the members not yet joined,
 * finished or not.
 *
 * <p>A group may be used from any thread; several tasks may wait in {@link #joinNext()} at once,
 * each member's outcome going to exactly one of them.
 *
 * <h2>Concurrency state</h2>
 * <ul>
 *   <li>{@code running}: the members that may not have finished. A member enters once its task
 *       is started, and leaves when its task publishes its outcome ({@link Member#wake()}), or at
 *       once if that happened before it entered.</li>
 *   <li>{@code finished}: the members that have finished and have not been joined, in the order
 *       they finished; each is taken by exactly one joiner.</li>
 *   <li>{@code unjoined}: members spawned and not yet taken by a joiner; incremented before a
 *       member is spawned, decremented by the joiner that takes it. It is zero exactly when
 *       {@code running} and {@code finished} are both empty, once every spawn has returned.</li>
 *   <li>{@code changed}: notified (all waiters) after each member moves to {@code finished}, and
 *       when a joiner takes the last unjoined member. A joiner creates its {@code notified()}
 *       before it looks at {@code finished} and {@code unjoined}, so a change after the look
 *       completes it: no wake-up is lost, including that of a joiner that looked while another
 *       was between taking the last member and counting it joined.</li>
 *   <li>{@code closed}: set once by {@link #close()}; a spawn adds its member to {@code running}
 *       and then reads {@code closed}, and {@code close} sets {@code closed} and then aborts every
 *       member in {@code running}, so every member spawned is either refused, seen by the abort,
 *       or aborts itself.</li>
 *   <li>A member's {@code reported} flag is set once, by whichever wake-up first sees its task
 *       finished; that one wake-up moves it to {@code finished}.</li>
 * </ul>
 *
 * @param <T> the members' value type
 */
public final class TaskGroup<T> implements AutoCloseable {
    /** What {@link Next} completes with when the group has nothing left to join. */
    private static final Object EMPTY = new Object();

    private final SchedulerHandle scheduler;
    private final Set<Member<T>> running = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Member<T>> finished = new ConcurrentLinkedQueue<>();
    private final AtomicInteger unjoined = new AtomicInteger();
    private final Notify changed = new Notify();
    private volatile boolean closed;

    private TaskGroup(SchedulerHandle scheduler) {
        this.scheduler = scheduler;
    }

    /**
     * Opens an empty group on the runtime running on this thread. Called from inside a task, the
     * group belongs to that task and is closed when the task ends.
     *
     * @throws IllegalStateException if no Kyoto runtime is running on this thread
     */
    public static <T> TaskGroup<T> open() {
        RuntimeContext cx = RuntimeContext.get();
        SchedulerHandle scheduler = RuntimeContext.current();
        TaskGroup<T> group = new TaskGroup<>(scheduler);
        Task<?> owner = cx.task();
        if (owner != null) {
            owner.own(group.new Scope());
        }
        return group;
    }

    /**
     * Spawns {@code computation} as an unnamed member of the group.
     *
     * @throws IllegalStateException if the group is closed
     */
    public JoinHandle<T> spawn(Async<T> computation) {
        return spawnMember(null, Objects.requireNonNull(computation, "computation"));
    }

    /**
     * Spawns {@code computation} as a member of the group named {@code name} (see
     * {@link dev.kyoto.runtime.Handle#spawn(String, Async)}). The handle returned is the task's
     * own: aborting it aborts the member, and joining it directly is allowed, though the group
     * still hands the outcome to one of its joiners.
     *
     * @throws IllegalStateException if the group is closed
     */
    public JoinHandle<T> spawn(String name, Async<T> computation) {
        return spawnMember(Objects.requireNonNull(name, "name"), Objects.requireNonNull(computation, "computation"));
    }

    private JoinHandle<T> spawnMember(String name, Async<T> computation) {
        if (closed) {
            throw new IllegalStateException("this TaskGroup is closed and takes no more tasks: its owner ended or close() "
                    + "was called; open a new group, or spawn on the Handle for a task that belongs to no group");
        }
        unjoined.incrementAndGet();
        Task<T> task = scheduler.newTask(name, computation);
        Member<T> member = new Member<>(this, task);
        // Watched before it can run: a failure is never published with nobody waiting.
        task.watch(member);
        scheduler.start(task);
        // Listed only once started, so that an abort never reaches a task before the runtime
        // has taken it; one that finished meanwhile is taken off again.
        running.add(member);
        if (member.isReported()) {
            running.remove(member);
        }
        if (closed) {
            task.abort();
        }
        return task;
    }

    /**
     * The outcome of the next member to finish: its value, or its failure thrown, or
     * {@link CancellationException} if it was aborted; null once the group has nothing left to
     * join. For a group of {@code Void} members, where null is also every value, test
     * {@link #size()} first or use {@link #joinAll()}. Cancelling the returned computation
     * leaves the group as it was: no member is taken.
     */
    @SuppressWarnings("unchecked")
    public Async<T> joinNext() {
        return new Next().map(v -> v == EMPTY ? null : (T) v);
    }

    /**
     * Every member's value, in the order they finish, once all have; members spawned meanwhile
     * are waited for too. The first member to fail (or to be aborted) aborts all the others, and
     * its failure is thrown. Cancelling it aborts every member.
     */
    public Async<List<T>> joinAll() {
        return new All();
    }

    /**
     * Aborts every member and waits until each has ended; their outcomes are dropped. The group
     * stays open.
     */
    public Async<Void> shutdown() {
        abortAll();
        return new Drain();
    }

    /** Aborts every member still running; they are joined as {@link CancellationException}s. */
    public void abortAll() {
        for (Member<T> m : running) {
            m.cell.abort();
        }
    }

    /** The members not yet joined, whether finished or running. */
    public int size() {
        return unjoined.get();
    }

    /** Whether the group is closed. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes the group: it takes no more members, and every member still running is aborted (each
     * stops at its next scheduling, its computation's {@link Async#cancel()} releasing what it
     * holds). Members may still be joined, to see them end. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        abortAll();
    }

    /** Called by a member's task when it publishes its outcome; once per member. */
    private void memberFinished(Member<T> member) {
        running.remove(member);
        finished.add(member);
        changed.notifyWaiters();
    }

    /**
     * What every wait on the group shares: taking the next finished member. {@code wait} is the
     * {@code notified()} created before each look at {@code finished}; touched only by the
     * polling task.
     */
    private abstract class Joiner<R> implements Async<R> {
        private Async<Void> wait;

        /**
         * The next finished member's outcome (its failure thrown), or EMPTY when nothing is left
         * to join; pending otherwise. A poll that takes a member always completes with it.
         */
        final Poll<Object> next(Context cx) throws Exception {
            for (;;) {
                if (wait == null) {
                    wait = changed.notified();
                }
                Member<T> m = finished.poll();
                if (m != null) {
                    if (unjoined.decrementAndGet() == 0) {
                        // Another joiner may have looked between the take and the decrement,
                        // found nothing finished and something unjoined, and be waiting.
                        changed.notifyWaiters();
                    }
                    stopWaiting();
                    return Poll.ready(m.cell.outcomeNow());
                }
                if (unjoined.get() == 0) {
                    stopWaiting();
                    return Poll.ready(EMPTY);
                }
                if (wait.poll(cx).isPending()) {
                    return Poll.pending();
                }
                wait = null;
            }
        }

        final void stopWaiting() {
            if (wait != null) {
                wait.cancel();
                wait = null;
            }
        }

        @Override
        public void cancel() {
            stopWaiting();
        }
    }

    /** {@link #joinNext()}. */
    private final class Next extends Joiner<Object> {
        @Override
        public Poll<Object> poll(Context cx) throws Exception {
            return next(cx);
        }
    }

    /** {@link #joinAll()}: joins until empty, aborting the rest at the first failure. */
    private final class All extends Joiner<List<T>> {
        private final List<T> values = new ArrayList<>();

        @Override
        @SuppressWarnings("unchecked")
        public Poll<List<T>> poll(Context cx) throws Exception {
            for (;;) {
                Poll<Object> p;
                try {
                    p = next(cx);
                } catch (Exception e) {
                    abortAll();
                    throw e;
                }
                if (!(p instanceof Poll.Ready<Object>(Object v))) {
                    return Poll.pending();
                }
                if (v == EMPTY) {
                    return Poll.ready(values);
                }
                values.add((T) v);
            }
        }

        @Override
        public void cancel() {
            stopWaiting();
            abortAll();
        }
    }

    /** {@link #shutdown()}: joins until empty, dropping every outcome. */
    private final class Drain extends Joiner<Void> {
        @Override
        public Poll<Void> poll(Context cx) {
            for (;;) {
                Poll<Object> p;
                try {
                    p = next(cx);
                } catch (Exception dropped) {
                    continue;
                }
                if (p.isPending()) {
                    return Poll.pending();
                }
                if (p.value() == EMPTY) {
                    return Poll.ready(null);
                }
            }
        }
    }

    /** The group as its owning task sees it: closed when the task ends. */
    private final class Scope implements TaskScope {
        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public void ownerEnded() {
            close();
        }
    }

    /**
     * A member: its task, and the waker the group registers on the task's join side, woken when
     * the task publishes its outcome. A detach of the handle ({@link JoinHandle#cancel()}) may wake
     * it early; it then registers again, so it reports the member finished exactly once.
     */
    private static final class Member<T> implements Waker {
        final TaskGroup<T> group;
        final JoinCell<T> cell;
        private final AtomicBoolean reported = new AtomicBoolean();

        Member(TaskGroup<T> group, JoinCell<T> cell) {
            this.group = group;
            this.cell = cell;
        }

        @Override
        public void wake() {
            if (cell.isFinished() || !cell.watch(this)) {
                if (reported.compareAndSet(false, true)) {
                    group.memberFinished(this);
                }
            }
        }

        boolean isReported() {
            return reported.get();
        }
    }
}
