package dev.kyoto.runtime.internal.scheduler;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.internal.blocking.BlockingPool;
import dev.kyoto.runtime.internal.context.RuntimeContext;
import dev.kyoto.runtime.internal.driver.Driver;
import dev.kyoto.runtime.internal.task.Task;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The multi-thread, work-stealing scheduler (Tokio's design).
 *
 * <p>Each {@link Worker} runs tasks from its LIFO slot and its {@link LocalQueue}; tasks woken
 * or spawned by a running task stay on its worker. Tasks scheduled from other threads go to the
 * shared {@link InjectQueue}, which every worker checks first each {@code globalQueueInterval}
 * ticks and pulls batches from when its own queue is empty. An idle worker steals half of another
 * worker's queue; at most half the workers search at once ({@link Idle}). A worker with nothing
 * to do parks in the driver if no other worker holds it, else on its own {@link Parker}; busy
 * workers poll the driver without blocking every {@code eventInterval} ticks, but never before
 * they have run the tasks the previous poll left queued ({@link #schedulePoll}). A worker whose
 * driver poll left tasks queued wakes another to steal them only if they are still queued a
 * little later ({@link #handOffIfStillQueued}).
 *
 * <p>{@code shutdown} is set once; workers see it between tasks and exit, and the thread that
 * shuts down then cancels what is left (see {@link #shutdown}).
 */
public final class MultiThreadScheduler extends Scheduler {
    private static final int MAX_LIFO_POLLS = 3;
    /**
     * How long the tasks a driver poll left queued may wait for their own worker before another
     * is woken to steal them: a few times what waking a parked thread costs here (a futex wake,
     * an interrupt into an idle CPU, a steal). See {@link #handOffIfStillQueued}.
     */
    private static final long HANDOFF_NANOS = 300_000;
    /**
     * The most ticks a busy worker defers its next driver poll past {@code eventInterval}: the most
     * events one poll of the JDK's epoll selector reports (1,024).
     */
    private static final int MAX_POLL_DEFERRAL = 1024;
    /** Where a tuned global queue interval starts, as in Tokio. */
    private static final int TUNED_START = 61;

    private final int eventInterval;
    /** The configured interval, or 0 to let each worker tune its own. */
    private final int globalQueueInterval;
    private final Runnable onThreadStart;
    private final Runnable onThreadStop;
    private final Worker[] workers;
    private final Thread[] threads;
    private final InjectQueue inject = new InjectQueue();
    private final Idle idle;
    private volatile boolean shutdown;

    public MultiThreadScheduler(Driver driver, BlockingPool blocking, int workerThreads, int eventInterval,
            int globalQueueInterval, String threadName, Runnable onThreadStart, Runnable onThreadStop) {
        super(driver, blocking);
        this.eventInterval = eventInterval;
        this.globalQueueInterval = globalQueueInterval;
        this.onThreadStart = onThreadStart;
        this.onThreadStop = onThreadStop;
        this.idle = new Idle(workerThreads);
        AtomicBoolean driverLock = new AtomicBoolean();
        this.workers = new Worker[workerThreads];
        this.threads = new Thread[workerThreads];
        for (int i = 0; i < workerThreads; i++) {
            workers[i] = new Worker(this, i, new Parker(driver, driverLock),
                    globalQueueInterval > 0 ? null : new QueueIntervalTuner(TUNED_START));
        }
        for (int i = 0; i < workerThreads; i++) {
            Worker w = workers[i];
            threads[i] = Thread.ofPlatform().name(threadName + "-" + i).daemon(true).unstarted(() -> runWorker(w));
        }
        for (Thread t : threads) {
            t.start();
        }
    }

    @Override
    public void schedule(Task<?> task) {
        schedule(task, false);
    }

    @Override
    public void scheduleYield(Task<?> task) {
        schedule(task, true);
    }

    private void schedule(Task<?> task, boolean yielded) {
        Worker w = RuntimeContext.get().worker();
        if (w != null && w.scheduler == this) {
            scheduleLocal(w, task, yielded);
        } else {
            scheduleRemote(task);
        }
    }

    private void scheduleLocal(Worker w, Task<?> task, boolean yielded) {
        boolean notify;
        if (yielded || !w.lifoEnabled) {
            w.queue.pushBackOrOverflow(task, inject);
            notify = true;
        } else {
            Task<?> previous = w.lifo;
            w.lifo = task;
            notify = previous != null;
            if (previous != null) {
                w.queue.pushBackOrOverflow(previous, inject);
            }
        }
        // While the worker polls the driver it batches its wakes and notifies once afterwards.
        if (notify && !w.parkerOut) {
            notifyParked();
        }
    }

    private void scheduleRemote(Task<?> task) {
        if (inject.push(task)) {
            notifyParked();
        } else {
            cancelNow(task);
        }
    }

    private void notifyParked() {
        int index = idle.workerToNotify();
        if (index >= 0) {
            workers[index].parker.unpark();
        }
    }

    private void runWorker(Worker w) {
        RuntimeContext cx = RuntimeContext.get();
        cx.enter(this);
        cx.setDriving(true);
        cx.setWorker(w);
        try {
            onThreadStart.run();
            work(w, cx);
        } finally {
            cx.setWorker(null);
            cx.setDriving(false);
            cx.enter(null);
            onThreadStop.run();
        }
    }

    private void work(Worker w, RuntimeContext cx) {
        if (w.tuner != null) {
            w.tuner.start(System.nanoTime());
        }
        while (!shutdown) {
            w.tick++;
            if (w.tick - w.nextPollTick >= 0) {
                parkInternal(w, cx, true);
                if (w.tuner != null) {
                    w.tuner.update(System.nanoTime());
                }
            }
            if (w.handoffPending) {
                handOffIfStillQueued(w);
            }
            Task<?> task = nextTask(w);
            // A worker holding deferred tasks (a yield, a spent budget) has work of its own: it
            // must not start searching, or running them would count as a find and wake a peer.
            if (task == null && !cx.hasDeferred()) {
                task = steal(w);
            }
            if (task != null) {
                runTask(w, cx, task);
            } else if (cx.hasDeferred()) {
                parkInternal(w, cx, true);
            } else {
                park(w, cx);
            }
        }
    }

    private Task<?> nextTask(Worker w) {
        int interval = w.tuner != null ? w.tuner.interval() : globalQueueInterval;
        if (w.tick % interval == 0) {
            Task<?> t = inject.pop();
            if (t != null) {
                return t;
            }
        }
        Task<?> t = w.lifo;
        if (t != null) {
            w.lifo = null;
            return t;
        }
        t = w.queue.pop();
        if (t != null || inject.isEmpty()) {
            return t;
        }
        // Take a fair share of the inject queue in one lock acquisition, so the others get some.
        int cap = Math.min(w.queue.remainingSlots(), LocalQueue.CAPACITY / 2);
        int n = Math.max(1, Math.min(inject.length() / workers.length + 1, cap));
        Task<?>[] batch = w.batch;
        int got = inject.popN(batch, n);
        if (got == 0) {
            return null;
        }
        if (got > 1) {
            w.queue.pushBack(batch, 1, got - 1);
        }
        Task<?> first = batch[0];
        java.util.Arrays.fill(batch, 0, got, null);
        return first;
    }

    private Task<?> steal(Worker w) {
        if (!w.searching) {
            if (!idle.transitionToSearching()) {
                return null;
            }
            w.searching = true;
        }
        int n = workers.length;
        int start = w.nextRandom(n);
        for (int i = 0; i < n; i++) {
            Worker victim = workers[(start + i) % n];
            if (victim != w) {
                Task<?> t = victim.queue.stealInto(w.queue);
                if (t != null) {
                    return t;
                }
            }
        }
        return inject.pop();
    }

    private void runTask(Worker w, RuntimeContext cx, Task<?> task) {
        if (w.searching) {
            w.searching = false;
            // The last searcher found work: wake another worker to keep looking.
            if (idle.transitionFromSearching()) {
                notifyParked();
            }
        }
        if (w.tuner != null) {
            w.tuner.polled();
        }
        int saved = cx.startBudget();
        try {
            task.run();
            int lifoPolls = 0;
            for (;;) {
                Task<?> next = w.lifo;
                if (next == null) {
                    w.lifoEnabled = true;
                    return;
                }
                w.lifo = null;
                if (!cx.hasBudget()) {
                    w.queue.pushBackOrOverflow(next, inject);
                    return;
                }
                if (++lifoPolls >= MAX_LIFO_POLLS) {
                    // Two tasks that wake each other forever would otherwise starve the queue.
                    w.lifoEnabled = false;
                }
                next.run();
            }
        } finally {
            cx.restoreBudget(saved);
        }
    }

    private void park(Worker w, RuntimeContext cx) {
        if (w.hasTasks()) {
            return;
        }
        boolean lastSearcher = idle.transitionToParked(w.index, w.searching);
        w.searching = false;
        if (lastSearcher) {
            notifyIfWorkPending();
        }
        while (!shutdown) {
            parkInternal(w, cx, false);
            if (transitionFromParked(w)) {
                if (w.tuner != null) {
                    // Time asleep is not time spent polling.
                    w.tuner.start(System.nanoTime());
                }
                return;
            }
        }
    }

    /** Polls the driver (or sleeps), then wakes deferred tasks and shares surplus work. */
    private void parkInternal(Worker w, RuntimeContext cx, boolean yieldOnly) {
        w.parkerOut = true;
        w.parker.park(yieldOnly);
        cx.wakeDeferred();
        w.parkerOut = false;
        int queued = w.queue.len() + (w.lifo != null ? 1 : 0);
        schedulePoll(w, queued + inject.length());
        w.handoffPending = !w.searching && queued > 1;
        if (w.handoffPending) {
            w.polledAt = System.nanoTime();
        }
    }

    /**
     * Sets the tick of the worker's next non-blocking driver poll: {@code eventInterval} ticks
     * away, or once it has run as many tasks as are queued now (its own and the inject queue's,
     * where a poll's wakes overflow) if those are more, up to {@link #MAX_POLL_DEFERRAL}. The
     * selector is level-triggered: a poll made while tasks woken by the previous one still wait
     * to read their sockets reports all those sockets again, and each report costs the kernel a
     * socket poll and the reactor an event. Tokio's edge-triggered epoll reports nothing twice,
     * so its fixed interval costs it nothing; here the batch a poll woke is served first, as
     * Netty's event loop serves every selected key before it selects again.
     */
    private void schedulePoll(Worker w, int queued) {
        w.nextPollTick = w.tick + Math.max(eventInterval, Math.min(queued, MAX_POLL_DEFERRAL));
    }

    /**
     * Wakes another worker to steal from this one if the tasks the last driver poll queued here
     * have waited {@link #HANDOFF_NANOS} and some are still queued. Tokio wakes one at once
     * whenever a poll leaves more than one task; but a poll usually leaves a handful of short
     * tasks (a read and a write each), which this worker runs in less time than a sleeping
     * worker takes to wake up, and the woken worker then finds little to steal and parks again.
     * Measured on the 64-connection echo benchmark (2 cores): context switches per round trip
     * 0.10 with an immediate wake, 0.056 with a 100 µs delay, and 12 % more round trips per
     * second. At 1,000 connections a poll leaves a few hundred tasks of a few microseconds each,
     * and 300 µs gave 7 % more round trips than 100 µs (four alternating runs each: 153-160k
     * against 137-148k; 64 connections and connection rate unchanged). A poll that leaves long
     * work still gets help within the delay.
     */
    private void handOffIfStillQueued(Worker w) {
        if (System.nanoTime() - w.polledAt < HANDOFF_NANOS) {
            return;
        }
        w.handoffPending = false;
        if (!w.searching && !w.queue.isEmpty()) {
            notifyParked();
        }
    }

    private boolean transitionFromParked(Worker w) {
        if (w.hasTasks()) {
            // Woken with work in hand (the driver woke tasks on this thread). If a notifier already
            // took us off the sleepers, it counted us as searching.
            if (!idle.unparkWorker(w.index)) {
                w.searching = true;
            }
            return true;
        }
        if (idle.isParked(w.index)) {
            return false;
        }
        w.searching = true;
        return true;
    }

    private void notifyIfWorkPending() {
        for (Worker other : workers) {
            if (!other.queue.isEmpty()) {
                notifyParked();
                return;
            }
        }
        if (!inject.isEmpty()) {
            notifyParked();
        }
    }

    @Override
    public <T> T blockOn(Async<T> future) throws Exception {
        RuntimeContext cx = RuntimeContext.get();
        checkMayBlock(cx);
        SchedulerHandle previous = cx.enter(this);
        cx.setDriving(true);
        try {
            BlockOnWaker waker = new BlockOnWaker(Thread.currentThread(), null);
            Context pollCx = new Context(waker);
            for (;;) {
                if (waker.takeWoken()) {
                    if (pollWithBudget(cx, future, pollCx) instanceof Poll.Ready<T>(T value)) {
                        return value;
                    }
                }
                if (cx.hasDeferred()) {
                    // No driver runs on this thread: a yield here only gives the workers a moment.
                    cx.wakeDeferred();
                } else if (!waker.isWoken()) {
                    LockSupport.park(this);
                }
            }
        } finally {
            cx.setDriving(false);
            cx.enter(previous);
        }
    }

    @Override
    public void shutdown(long timeoutNanos) {
        checkMayShutDown();
        synchronized (this) {
            if (shutdown) {
                return;
            }
            shutdown = true;
        }
        long deadline = System.nanoTime() + timeoutNanos;
        for (Worker w : workers) {
            w.parker.unpark();
        }
        boolean allExited = joinWorkers(timeoutNanos, deadline);
        RuntimeContext cx = RuntimeContext.get();
        SchedulerHandle previous = cx.enter(this);
        try {
            cancelAll(inject);
            if (allExited) {
                // The worker threads are joined: their queues are this thread's to drain now.
                for (Worker w : workers) {
                    if (w.lifo != null) {
                        Task<?> t = w.lifo;
                        w.lifo = null;
                        t.run();
                    }
                    for (Task<?> t = w.queue.pop(); t != null; t = w.queue.pop()) {
                        t.run();
                    }
                }
            }
            drainAndStopDriver(inject);
        } finally {
            cx.enter(previous);
        }
        blocking.shutdown(timeoutNanos < 0 ? -1 : Math.max(0, deadline - System.nanoTime()));
    }

    @Override
    boolean isShutdown() {
        return shutdown;
    }

    private boolean joinWorkers(long timeoutNanos, long deadline) {
        boolean interrupted = false;
        try {
            for (Thread t : threads) {
                for (;;) {
                    try {
                        if (timeoutNanos < 0) {
                            t.join();
                        } else {
                            long left = deadline - System.nanoTime();
                            if (left > 0) {
                                t.join(java.time.Duration.ofNanos(left));
                            }
                        }
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (t.isAlive()) {
                    return false;
                }
            }
            return true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The number of workers. */
    public int workerCount() {
        return workers.length;
    }
}
