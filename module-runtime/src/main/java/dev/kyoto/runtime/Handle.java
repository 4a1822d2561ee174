package dev.kyoto.runtime;

import dev.kyoto.runtime.internal.context.RuntimeContext;
import dev.kyoto.runtime.internal.scheduler.SchedulerHandle;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * A cheap, shareable reference to a runtime: spawn onto it from anywhere, or enter it so that
 * code on this thread finds it with {@link #current()}.
 *
 * <p>Immutable. A runtime has one handle, kept by its scheduler, which {@link #current()} returns.
 */
public final class Handle {
    private final SchedulerHandle scheduler;
    private final RuntimeMetrics metrics;

    Handle(SchedulerHandle scheduler) {
        this.scheduler = scheduler;
        this.metrics = new RuntimeMetrics(scheduler.metrics(), scheduler.driver().io(), scheduler.driver().ioName());
    }

    /** The runtime's counters: tasks, queues, workers, blocking pool, timers and I/O driver. */
    public RuntimeMetrics metrics() {
        return metrics;
    }

    /**
     * The runtime running on this thread: inside a task, inside {@code blockOn}, or after
     * {@link #enter()}.
     *
     * @throws IllegalStateException if no Kyoto runtime is running on this thread
     */
    public static Handle current() {
        return of(RuntimeContext.current());
    }

    /** The runtime running on this thread, if any. */
    public static Optional<Handle> tryCurrent() {
        SchedulerHandle s = RuntimeContext.currentOrNull();
        return s == null ? Optional.empty() : Optional.of(of(s));
    }

    /** The handle of {@code s}: made once per runtime, so that {@link #current()} allocates nothing. */
    static Handle of(SchedulerHandle s) {
        Handle h = s.handle();
        if (h == null) {
            // A race makes two equal handles, one of which is kept; both are immutable.
            h = new Handle(s);
            s.setHandle(h);
        }
        return h;
    }

    /** Spawns {@code future} as a new, unnamed task on this runtime. */
    public <T> JoinHandle<T> spawn(Async<T> future) {
        return scheduler.spawn(null, Objects.requireNonNull(future, "future"));
    }

    /**
     * Spawns {@code future} as a new task named {@code name}: the name is the task's
     * {@link JoinHandle#name()}, and what logs say when it fails with nobody waiting for it.
     */
    public <T> JoinHandle<T> spawn(String name, Async<T> future) {
        return scheduler.spawn(Objects.requireNonNull(name, "name"), Objects.requireNonNull(future, "future"));
    }

    /** Runs {@code work} on this runtime's blocking pool. */
    public <T> JoinHandle<T> spawnBlocking(Callable<T> work) {
        return scheduler.spawnBlocking(null, Objects.requireNonNull(work, "work"));
    }

    /** Runs {@code work} on this runtime's blocking pool as a task named {@code name}. */
    public <T> JoinHandle<T> spawnBlocking(String name, Callable<T> work) {
        return scheduler.spawnBlocking(Objects.requireNonNull(name, "name"), Objects.requireNonNull(work, "work"));
    }

    /**
     * Runs {@code body} on a new virtual thread with this runtime entered; see
     * {@link KyotoRuntime#spawnVirtual(ThrowingSupplier)}.
     *
     * @throws IllegalStateException if this is a current-thread runtime
     */
    public <T> JoinHandle<T> spawnVirtual(ThrowingSupplier<T> body) {
        return scheduler.spawnVirtual(null, Objects.requireNonNull(body, "body"));
    }

    /**
     * Runs {@code body} on a new virtual thread named {@code name} with this runtime entered, as a
     * task of that name; see {@link KyotoRuntime#spawnVirtual(ThrowingSupplier)}.
     *
     * @throws IllegalStateException if this is a current-thread runtime
     */
    public <T> JoinHandle<T> spawnVirtual(String name, ThrowingSupplier<T> body) {
        return scheduler.spawnVirtual(Objects.requireNonNull(name, "name"), Objects.requireNonNull(body, "body"));
    }

    /**
     * Runs {@code future} to completion on the calling thread; see {@link KyotoRuntime#blockOn}.
     *
     * @throws Exception the future's failure, unchanged
     */
    public <T> T blockOn(Async<T> future) throws Exception {
        return scheduler.blockOn(Objects.requireNonNull(future, "future"));
    }

    /**
     * Enters this runtime on the calling thread until the guard is closed, so that
     * {@link #current()} and I/O constructors find it. Guards must be closed in reverse order.
     */
    public EnterGuard enter() {
        RuntimeContext cx = RuntimeContext.get();
        return new EnterGuard(cx, scheduler, cx.enter(scheduler));
    }

    /** Leaves a runtime entered with {@link #enter()}. */
    public static final class EnterGuard implements AutoCloseable {
        private final RuntimeContext cx;
        private final SchedulerHandle entered;
        private final SchedulerHandle previous;
        private boolean closed;

        private EnterGuard(RuntimeContext cx, SchedulerHandle entered, SchedulerHandle previous) {
            this.cx = cx;
            this.entered = entered;
            this.previous = previous;
        }

        /**
         * Restores the runtime that was entered before.
         *
         * @throws IllegalStateException if guards are closed out of order or on another thread
         */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            if (RuntimeContext.get() != cx || cx.scheduler() != entered) {
                throw new IllegalStateException("EnterGuard closed out of order: guards returned by Handle.enter() must be "
                        + "closed on the thread that created them, in the reverse order they were acquired");
            }
            closed = true;
            cx.enter(previous);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Handle h && h.scheduler == scheduler;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(scheduler);
    }
}
