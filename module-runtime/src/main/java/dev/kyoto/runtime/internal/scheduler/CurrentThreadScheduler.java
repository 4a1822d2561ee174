package dev.kyoto.runtime.internal.scheduler;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.ThrowingSupplier;
import dev.kyoto.runtime.internal.blocking.BlockingPool;
import dev.kyoto.runtime.internal.context.RuntimeContext;
import dev.kyoto.runtime.internal.driver.Driver;
import dev.kyoto.runtime.internal.task.Task;
import dev.kyoto.runtime.internal.task.UnhandledFailures;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The current-thread scheduler: every task runs on the thread that is inside {@code blockOn}.
 *
 * <p>The run state lives in a {@link Core} that only one thread holds at a time; that thread
 * polls tasks, parks in the driver when there is nothing to do, and is the only one that touches
 * the core's local queue. Wakes from the holding thread (the common case: the driver or a task
 * woke a task) go to the local queue; wakes from any other thread go to the inject queue and
 * unpark the driver. A second thread in {@code blockOn} polls its own future on its own thread
 * and takes the core when it is released.
 *
 * <p>Fields: {@code core} holds the core while nobody drives (null while held); {@code held} is
 * the core while a thread holds it, and {@link Core#owner} that thread: both are written only by
 * the holder, as it takes the core and as it gives it back, so a thread that reads {@code held}
 * and finds itself the owner holds the core until it gives it back itself. Nobody else ever
 * writes them: a shutdown that could not take the core in time leaves them alone.
 * {@code shutdown} is set once by {@link #shutdown}; a thread that drives when it sees it cancels
 * every task and what its core still queues before it lets the core go, so the tasks a shutdown
 * could not reach (it gave up waiting for the core) are cancelled when the poll that kept the
 * core returns.
 */
public final class CurrentThreadScheduler extends Scheduler {
    /**
     * The most tasks run past {@code eventInterval} before a driver poll: the most events one
     * poll of the JDK's epoll selector reports (1,024).
     */
    private static final int MAX_POLL_DEFERRAL = 1024;
    private final int eventInterval;
    private final int globalQueueInterval;
    private final InjectQueue inject = new InjectQueue();
    private final AtomicReference<Core> core = new AtomicReference<>(new Core());
    private final ConcurrentLinkedQueue<Thread> coreWaiters = new ConcurrentLinkedQueue<>();
    private volatile Core held;
    /**
     * The core's polls, parks, busy time and queue depth: written only by the thread holding the
     * core (handed from thread to thread with the core, through {@code held} and {@code core}).
     */
    private final WorkerMetrics coreMetrics = new WorkerMetrics();
    /** How long the core's polls took, or null when the runtime does not keep that histogram; written as {@code coreMetrics}. */
    private final PollTimes corePollTimes;
    private volatile boolean shutdown;

    /** The run state, touched only by the thread that holds it. */
    private static final class Core {
        final ArrayDeque<Task<?>> local = new ArrayDeque<>();
        int tick;
        /** The thread holding the core; written by it when it takes and when it gives back the core. */
        Thread owner;
    }

    public CurrentThreadScheduler(Driver driver, BlockingPool blocking, int eventInterval, int globalQueueInterval,
            UnhandledFailures unhandled, boolean pollTimeHistogram) {
        super(driver, blocking, unhandled);
        this.corePollTimes = pollTimeHistogram ? new PollTimes() : null;
        this.eventInterval = eventInterval;
        this.globalQueueInterval = globalQueueInterval;
    }

    @Override
    public void schedule(Task<?> task) {
        Core c = held;
        if (c != null && c.owner == Thread.currentThread()) {
            c.local.addLast(task);
            return;
        }
        if (inject.push(task)) {
            driver.unpark();
        } else {
            cancelNow(task);
        }
    }

    /** Refused: only the thread inside {@code blockOn} drives this runtime, so no await could be woken. */
    @Override
    public <T> JoinHandle<T> spawnVirtual(String name, ThrowingSupplier<T> body) {
        throw new IllegalStateException("spawnVirtual needs a multi-thread Kyoto runtime: a current-thread runtime "
                + "polls I/O and timers only on the thread inside blockOn, so a virtual thread's await() would never be "
                + "woken; build it with KyotoRuntime.builder().multiThread()");
    }

    @Override
    public int workers() {
        return 1;
    }

    @Override
    public long globalQueueDepth() {
        return inject.length();
    }

    // The core is worker 0; RuntimeMetrics checks the index.

    @Override
    public long workerPolls(int i) {
        return coreMetrics.polls();
    }

    @Override
    public long workerSteals(int i) {
        return 0;
    }

    @Override
    public long workerParks(int i) {
        return coreMetrics.parks();
    }

    @Override
    public long workerBusyNanos(int i) {
        return coreMetrics.busyNanos(System.nanoTime());
    }

    @Override
    public long workerLocalQueueDepth(int i) {
        return coreMetrics.recordedQueueDepth();
    }

    @Override
    public long workerOverflows(int i) {
        return 0;
    }

    @Override
    public boolean pollTimeHistogramEnabled() {
        return corePollTimes != null;
    }

    @Override
    public long workerPollTimeBucketCount(int i, int bucket) {
        return corePollTimes == null ? 0 : corePollTimes.count(bucket);
    }

    @Override
    public <T> T blockOn(Async<T> future) throws Exception {
        RuntimeContext cx = RuntimeContext.get();
        checkMayBlock(cx);
        SchedulerHandle previous = cx.enter(this);
        // Not interruptible: see MultiThreadScheduler.blockOn.
        boolean interrupted = false;
        try {
            Thread me = Thread.currentThread();
            BlockOnWaker waker = new BlockOnWaker(me, driver);
            Context pollCx = new Context(waker);
            for (;;) {
                Core c = shutdown ? null : core.getAndSet(null);
                if (c != null) {
                    Poll<T> p = driveWithCore(c, future, pollCx, waker, cx);
                    if (p != null) {
                        return p.value();
                    }
                    continue;
                }
                if (waker.takeWoken()) {
                    Poll<T> p = future.poll(pollCx);
                    if (p instanceof Poll.Ready<T>(T v)) {
                        return v;
                    }
                }
                coreWaiters.add(me);
                if (!waker.isWoken() && (shutdown || core.get() == null)) {
                    interrupted |= Thread.interrupted();
                    LockSupport.park(this);
                }
                coreWaiters.remove(me);
            }
        } finally {
            cx.enter(previous);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Drives the runtime while polling {@code future}; returns its ready result, or null once
     * shutdown asks for the core. Releases the core on every exit, exceptions included.
     */
    private <T> Poll<T> driveWithCore(Core c, Async<T> future, Context pollCx, BlockOnWaker waker, RuntimeContext cx)
            throws Exception {
        hold(c);
        cx.setDriving(true);
        cx.setDrivesIo(true);
        coreMetrics.busy(System.nanoTime());
        try {
            for (;;) {
                if (shutdown) {
                    cancelHeld(c);
                    return null;
                }
                if (waker.takeWoken()) {
                    Poll<T> p = pollWithBudget(cx, future, pollCx);
                    if (p.isReady()) {
                        return p;
                    }
                }
                boolean idle = false;
                int ticks = ticksBeforePoll(c);
                for (int i = 0; i < ticks && !shutdown; i++) {
                    Task<?> task = nextTask(c);
                    if (task == null) {
                        idle = true;
                        break;
                    }
                    int saved = cx.startBudget();
                    try {
                        PollTimes.run(corePollTimes, task, cx, 0);
                    } finally {
                        cx.restoreBudget(saved);
                    }
                    coreMetrics.polled();
                }
                coreMetrics.queueDepth(c.local.size());
                boolean mayBlock = idle && !cx.hasDeferred() && !waker.isWoken() && c.local.isEmpty() && !shutdown;
                if (mayBlock) {
                    coreMetrics.parked(System.nanoTime());
                    driver.park(-1);
                    coreMetrics.busy(System.nanoTime());
                } else {
                    driver.park(0);
                }
                cx.wakeDeferred();
            }
        } finally {
            // Nobody may drive the runtime for a while: what the last polls queued (a write's
            // send on io_uring) goes to the kernel now rather than at a park that may not come.
            driver.flush();
            coreMetrics.stopped(System.nanoTime());
            cx.setDrivesIo(false);
            cx.setDriving(false);
            release(c);
        }
    }

    /** Takes the core on the calling thread; {@link #release} gives it back. */
    private void hold(Core c) {
        c.owner = Thread.currentThread();
        held = c;
    }

    private void release(Core c) {
        held = null;
        c.owner = null;
        core.set(c);
        for (Thread t : coreWaiters) {
            LockSupport.unpark(t);
        }
    }

    /**
     * Seen shutting down while holding the core: cancels every task (again, if the shutdown did
     * it already: cancelling is idempotent), then runs, and so cancels, what the core queues. A
     * cancelled task's {@code cancel()} may schedule others onto the core: those run too.
     */
    private void cancelHeld(Core c) {
        cancelAll(inject);
        for (Task<?> t = c.local.pollFirst(); t != null; t = c.local.pollFirst()) {
            t.run();
        }
    }

    /**
     * Takes the core for shutdown, asking whoever holds it to let go; null if the deadline passed
     * first (negative {@code timeoutNanos}: wait without limit).
     */
    private Core takeCore(Thread me, long timeoutNanos, long deadline) {
        // Not interruptible: see MultiThreadScheduler.blockOn.
        boolean interrupted = false;
        try {
            for (;;) {
                Core c = core.getAndSet(null);
                if (c != null) {
                    return c;
                }
                long left = deadline - System.nanoTime();
                if (timeoutNanos >= 0 && left <= 0) {
                    return null;
                }
                driver.unpark();
                coreWaiters.add(me);
                if (core.get() == null) {
                    interrupted |= Thread.interrupted();
                    if (timeoutNanos < 0) {
                        LockSupport.park(this);
                    } else {
                        LockSupport.parkNanos(this, left);
                    }
                }
                coreWaiters.remove(me);
            }
        } finally {
            if (interrupted) {
                me.interrupt();
            }
        }
    }

    @Override
    boolean isShutdown() {
        return shutdown;
    }

    /**
     * How many tasks to run before the next driver poll: {@code eventInterval}, or as many as are
     * queued now (mostly those the last poll woke) if those are more, up to
     * {@link #MAX_POLL_DEFERRAL}. The selector is level-triggered: polling while woken tasks still
     * wait to read their sockets would report every one of those sockets again (with 1,000 busy
     * connections, 15 events per round trip instead of 1). So the batch a poll woke is served
     * before the next, as Netty's event loop serves every selected key before selecting again.
     */
    private int ticksBeforePoll(Core c) {
        return Math.max(eventInterval, Math.min(c.local.size() + inject.length(), MAX_POLL_DEFERRAL));
    }

    private Task<?> nextTask(Core c) {
        c.tick++;
        if (c.tick % globalQueueInterval == 0) {
            Task<?> t = inject.pop();
            return t != null ? t : c.local.pollFirst();
        }
        Task<?> t = c.local.pollFirst();
        return t != null ? t : inject.pop();
    }

    @Override
    public List<String> shutdown(long timeoutNanos) {
        checkMayShutDown();
        long deadline = System.nanoTime() + timeoutNanos;
        synchronized (this) {
            if (shutdown) {
                return List.of();
            }
            shutdown = true;
        }
        List<String> running = new ArrayList<>();
        Core c = takeCore(Thread.currentThread(), timeoutNanos, deadline);
        RuntimeContext cx = RuntimeContext.get();
        SchedulerHandle previous = cx.enter(this);
        try {
            if (c != null) {
                hold(c);
                try {
                    cancelHeld(c);
                } finally {
                    release(c);
                }
            } else {
                // A thread stuck in a poll kept the core past the deadline: its queue is not ours
                // to drain. It cancels what the core holds when the poll returns (driveWithCore).
                cancelAll(inject);
                running.add("a thread still in a task's poll");
            }
            drainAndStopDriver(inject);
        } finally {
            cx.enter(previous);
        }
        if (!blocking.shutdown(timeoutNanos < 0 ? -1 : Math.max(0, deadline - System.nanoTime()))) {
            running.add(Scheduler.blockingStillRunning(blocking.threadCount()));
        }
        return running;
    }
}
