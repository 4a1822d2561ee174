package dev.kyoto.runtime.internal.scheduler;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.ThrowingSupplier;
import dev.kyoto.runtime.Waker;
import dev.kyoto.runtime.internal.blocking.BlockingPool;
import dev.kyoto.runtime.internal.context.RuntimeContext;
import dev.kyoto.runtime.internal.driver.Driver;
import dev.kyoto.runtime.internal.jfr.Jfr;
import dev.kyoto.runtime.internal.task.Task;
import dev.kyoto.runtime.internal.task.UnhandledFailures;
import dev.kyoto.runtime.internal.task.VirtualTasks;
import dev.kyoto.runtime.internal.thread.Joins;
import dev.kyoto.runtime.internal.thread.RuntimeThreads;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;

/**
 * The multi-thread, work-stealing scheduler (Tokio's design).
 *
 * <p>Each {@link Worker} runs tasks from its LIFO slot and its {@link LocalQueue}; tasks woken
 * or spawned by a running task stay on its worker. Tasks scheduled from other threads go to the
 * shared {@link InjectQueue}, which every worker checks first each {@code globalQueueInterval}
 * ticks and pulls batches from when its own queue is empty. An idle worker steals half of another
 * worker's queue; at most half the workers search at once ({@link Idle}). A worker with nothing
 * to do parks in the driver if no other worker holds it, else on its own {@link Parker} (in a
 * driver queue of its own when the driver keeps one per worker, {@code IoDriver.attachWorker}); busy
 * workers poll the driver without blocking every {@code eventInterval} ticks, but never before
 * they have run the tasks the previous poll left queued ({@link #schedulePoll}). A worker whose
 * driver poll left tasks queued wakes another to steal them only if they are still queued a
 * little later ({@link #handOffIfStillQueued}). While some workers run, one parked worker keeps a
 * {@link StallWatch}: a task stuck in a long poll stalls neither the tasks queued behind it nor
 * the driver (nor the stuck worker's own driver queue, which the watcher turns).
 *
 * <p>Every worker thread runs the runtime's start hook before anything else; the constructor
 * waits for all of them, and fails (stopping the threads it started) if a thread could not be
 * started or its hook threw, so a runtime never runs short of the workers it was built with.
 *
 * <p>Shutdown cancels every task first ({@link Scheduler#cancelAll}), then sets {@code shutdown}
 * and wakes every worker. Each worker leaves its loop at the next check and cancels whatever is
 * still queued on it (its LIFO slot and its queue) before it exits, so a worker that overruns the
 * shutdown's timeout cancels its own tasks when its long poll returns; meanwhile the shutting
 * thread steals what it can from it (see {@link #shutdown}).
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
     * A pending hand-off is checked every 8th tick, not every tick: the check reads the clock,
     * which cost a busy worker running short tasks (a yield loop) a tenth of its time, and 8
     * short tasks take far less than {@link #HANDOFF_NANOS}. Long polls are the
     * {@link StallWatch}'s business anyway.
     */
    private static final int HANDOFF_CHECK_MASK = 7;
    /**
     * The most ticks a busy worker defers its next driver poll past {@code eventInterval}: the most
     * events one poll of the JDK's epoll selector reports (1,024).
     */
    private static final int MAX_POLL_DEFERRAL = 1024;
    /**
     * How long a driver must have been left free for its takeover to count as a blocked driver: a
     * holder between turns takes it back within microseconds, and a watcher woken because a
     * worker left its park takes it at once.
     */
    private static final long BLOCKED_DRIVER_NANOS = 1_000_000;
    /** Where a tuned global queue interval starts, as in Tokio. */
    private static final int TUNED_START = 61;

    private final int eventInterval;
    /** The configured interval, or 0 to let each worker tune its own. */
    private final int globalQueueInterval;
    private final RuntimeThreads threadConfig;
    private final Worker[] workers;
    private final Thread[] threads;
    private final InjectQueue inject = new InjectQueue();
    private final Idle idle;
    private final StallWatch watch = new StallWatch();
    private final DriverLock driverLock = new DriverLock();
    /** The bodies started by {@link #spawnVirtual}, aborted and waited for by shutdown. */
    private final VirtualTasks virtualTasks;
    /** Set once, under {@code this}, by the first shutdown. */
    private boolean shutdownStarted;
    /** Set after every task is marked cancelled: workers leave their loops when they see it. */
    private volatile boolean shutdown;

    /**
     * Starts {@code workerThreads} workers and returns once each has run its start hook.
     *
     * @throws IllegalStateException if a worker thread could not be started or its start hook
     *         threw; the threads that did start have stopped by then
     */
    public MultiThreadScheduler(Driver driver, BlockingPool blocking, int workerThreads, int eventInterval,
            int globalQueueInterval, RuntimeThreads threadConfig, UnhandledFailures unhandled, boolean pollTimeHistogram) {
        super(driver, blocking, unhandled);
        this.virtualTasks = new VirtualTasks(this, unhandled);
        this.eventInterval = eventInterval;
        this.globalQueueInterval = globalQueueInterval;
        this.threadConfig = threadConfig;
        this.idle = new Idle(workerThreads);
        this.workers = new Worker[workerThreads];
        this.threads = new Thread[workerThreads];
        for (int i = 0; i < workerThreads; i++) {
            workers[i] = new Worker(this, i, workerThreads, new Parker(driver, driverLock),
                    globalQueueInterval > 0 ? null : new QueueIntervalTuner(TUNED_START), pollTimeHistogram);
        }
        startWorkers();
    }

    /** Starts the workers and waits for their start hooks; on any failure stops them and throws. */
    private void startWorkers() {
        CountDownLatch hooksRan = new CountDownLatch(workers.length);
        // Each worker writes only its own element, before it counts down.
        Throwable[] failures = new Throwable[workers.length];
        int started = 0;
        for (; started < workers.length; started++) {
            Worker w = workers[started];
            try {
                Thread t = threadConfig.newThread(started, () -> runWorker(w, hooksRan, failures));
                threads[started] = t;
                t.start();
            } catch (Throwable e) {
                threads[started] = null;
                failures[started] = new IllegalStateException("could not start Kyoto worker thread "
                        + threadConfig.name() + "-" + started + ": " + e, e);
                break;
            }
        }
        for (int i = started; i < workers.length; i++) {
            hooksRan.countDown();
        }
        awaitUninterruptibly(hooksRan);
        IllegalStateException failure = null;
        for (Throwable f : failures) {
            if (f == null) {
                continue;
            }
            if (failure == null) {
                failure = f instanceof IllegalStateException ise ? ise : new IllegalStateException(f);
            } else {
                failure.addSuppressed(f);
            }
        }
        if (failure != null) {
            shutdown = true;
            for (Worker w : workers) {
                w.parker.unpark();
            }
            joinWorkers(-1, 0);
            throw failure;
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        for (;;) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
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
        int index = idle.workerToNotify(watch.watcher());
        if (index >= 0) {
            workers[index].parker.unpark();
        }
    }

    private void runWorker(Worker w, CountDownLatch hooksRan, Throwable[] failures) {
        Throwable hookFailure = threadConfig.runStartHook();
        if (hookFailure != null) {
            failures[w.index] = new IllegalStateException("could not start Kyoto worker thread "
                    + Thread.currentThread().getName() + ": its onThreadStart hook threw " + hookFailure, hookFailure);
            hooksRan.countDown();
            return;
        }
        if (driver.io() != null) {
            try {
                w.parker.attach(driver.io().attachWorker());
            } catch (RuntimeException e) {
                failures[w.index] = new IllegalStateException("could not start Kyoto worker thread "
                        + Thread.currentThread().getName() + ": its I/O driver could not give it a queue: " + e, e);
                hooksRan.countDown();
                threadConfig.runStopHook();
                return;
            }
        }
        hooksRan.countDown();
        RuntimeContext cx = RuntimeContext.get();
        cx.enter(this);
        cx.setDriving(true);
        cx.setDrivesIo(true);
        cx.setWorker(w, w.deferred);
        w.metrics.busy(System.nanoTime());
        try {
            work(w, cx);
            cancelQueued(w);
        } finally {
            w.metrics.stopped(System.nanoTime());
            cx.setWorker(null, null);
            cx.setDrivesIo(false);
            cx.setDriving(false);
            cx.enter(null);
            threadConfig.runStopHook();
        }
    }

    private void work(Worker w, RuntimeContext cx) {
        if (w.tuner != null) {
            w.tuner.start(System.nanoTime());
        }
        while (!shutdown) {
            if (w.nextTick() - w.nextPollTick >= 0) {
                parkInternal(w, cx, true);
                if (w.tuner != null) {
                    w.tuner.update(System.nanoTime());
                }
            }
            if (w.handoffPending && (w.tick() & HANDOFF_CHECK_MASK) == 0) {
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

    /**
     * Runs, and so cancels, every task still queued on a worker that leaves at shutdown: its
     * tasks were all marked cancelled before it was told to stop. A cancelled task's
     * {@code cancel()} may wake others onto this worker, so it loops until nothing is left.
     */
    private void cancelQueued(Worker w) {
        for (;;) {
            Task<?> t = w.lifo;
            if (t != null) {
                w.lifo = null;
            } else {
                t = w.queue.pop();
            }
            if (t == null) {
                return;
            }
            t.run();
        }
    }

    private Task<?> nextTask(Worker w) {
        int interval = w.tuner != null ? w.tuner.interval() : globalQueueInterval;
        if (w.tick() % interval == 0) {
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
        Arrays.fill(batch, 0, got, null);
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
        WorkerMetrics m = w.metrics;
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
            PollTimes.run(w.pollTimes, task, cx, w.index);
            m.polled();
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
                PollTimes.run(w.pollTimes, next, cx, w.index);
                m.polled();
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
        w.rewatching = false;
        w.metrics.parked(System.nanoTime());
        while (!shutdown) {
            parkInternal(w, cx, false);
            if (transitionFromParked(w) || takeStalledWork(w)) {
                w.metrics.busy(System.nanoTime());
                leftPark(w);
                if (w.tuner != null) {
                    // Time asleep is not time spent polling.
                    w.tuner.start(System.nanoTime());
                }
                return;
            }
            w.rewatching = watch.isWatcher(w.index);
        }
        watch.resign(w.index);
    }

    /** Polls the driver (or sleeps), then wakes deferred tasks and shares surplus work. */
    private void parkInternal(Worker w, RuntimeContext cx, boolean yieldOnly) {
        w.parkerOut = true;
        if (yieldOnly) {
            w.parker.parkYield();
        } else {
            sleep(w);
        }
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
     * Sleeps until unparked: in the driver if no other worker holds it, else on the worker's own
     * condition. A worker that keeps the watch sleeps for at most a watch period.
     */
    private void sleep(Worker w) {
        Parker p = w.parker;
        if (p.consumeUnpark()) {
            return;
        }
        // A watcher back from a watch period takes the driver only if nobody took it during the
        // period, or a timer is overdue: a holder busy between turns takes it back within
        // microseconds, and moving the driver (and with it the tasks its events wake) to another
        // thread costs more than a turn.
        boolean untaken = w.rewatching && driverLock.acquisitions() == w.seenAcquisitions;
        boolean mayTake = !w.rewatching || untaken || driver.nanosUntilNextTimer() < -StallWatch.TIMER_SLACK_NANOS;
        if (mayTake && p.tryHoldDriver()) {
            if (untaken) {
                reportBlockedDriver(w);
            }
            try {
                p.parkDriver(watchTimeout(w, true));
            } finally {
                w.seenAcquisitions = driverLock.acquisitions();
                p.releaseDriver();
            }
        } else if (p.hasQueue()) {
            w.seenAcquisitions = driverLock.acquisitions();
            p.parkQueue(watchTimeout(w, false));
        } else {
            w.seenAcquisitions = driverLock.acquisitions();
            // Another worker holds the driver and may be waiting in it: what this worker's tasks
            // queued (io_uring's sends) goes to the kernel before it sleeps.
            driver.flush();
            p.parkCondvar(watchTimeout(w, false));
        }
    }

    /**
     * Worker {@code w} has taken over the driver after a watch period in which nobody took it: if
     * its last holder had left it a millisecond or more before (and a recording runs, which times
     * releases), that was a blocked driver.
     */
    private void reportBlockedDriver(Worker w) {
        long free = driverLock.freeNanos(w.seenAcquisitions, System.nanoTime());
        if (free >= BLOCKED_DRIVER_NANOS) {
            Jfr.blockedDriver(w.index, free);
        }
    }

    /**
     * How long a parking worker may sleep: if it keeps the watch (see {@link StallWatch}), a
     * watch period, or until the earliest timer is due and a little more if that is sooner; else
     * without limit (-1).
     */
    private long watchTimeout(Worker w, boolean inDriver) {
        if (workers.length == 1 || !watch.claim(w.index, inDriver)) {
            return -1;
        }
        int activity = watch.activity();
        if (activity == w.seenActivity && watch.trySleep(w.index, activity, idle)) {
            return -1;
        }
        w.seenActivity = activity;
        long untilTimer = driver.nanosUntilNextTimer();
        return Math.max(StallWatch.TIMER_SLACK_NANOS,
                Math.min(StallWatch.PERIOD_NANOS, untilTimer == Long.MAX_VALUE ? untilTimer : untilTimer + StallWatch.TIMER_SLACK_NANOS));
    }

    /**
     * The watcher's look round after a watch period: true if some worker has not moved on since
     * the last look (it is stuck in one poll) while tasks wait on it, queued or deferred after a
     * yield. The watcher wakes the deferred ones onto itself, and leaves the parked state to run
     * them and to steal the queued ones. The driver needs no check here: the next sleep takes it
     * if it is free.
     */
    private boolean takeStalledWork(Worker w) {
        if (!watch.isWatcher(w.index)) {
            return false;
        }
        boolean stalled = false;
        for (Worker v : workers) {
            if (v == w) {
                continue;
            }
            int tick = v.observedTick();
            if (tick == w.seenTicks[v.index]) {
                // Its driver queue is not turned while it is stuck: what it completed wakes here.
                v.parker.turnForStalledWorker();
                stalled |= w.hasTasks();
                if (!v.deferred.isEmpty()) {
                    for (Waker yielded : v.deferred.takeAll()) {
                        yielded.wake();
                    }
                    stalled = true;
                }
                stalled |= !v.queue.isEmpty();
            }
            w.seenTicks[v.index] = tick;
        }
        if (!stalled) {
            return false;
        }
        if (!idle.unparkWorker(w.index)) {
            // A notifier took us off the sleepers meanwhile, and counted us as searching.
            w.searching = true;
        }
        return true;
    }

    /**
     * After a worker has left the parked state (and {@link Idle} counts it unparked): if it kept
     * the watch, another parked worker takes it over; a dormant watcher wakes up to watch again.
     */
    private void leftPark(Worker w) {
        if (watch.resign(w.index)) {
            int other = idle.anotherSleeper(w.index);
            if (other >= 0) {
                workers[other].parker.unpark();
            }
        }
        int dormant = watch.workerLeftPark();
        if (dormant >= 0) {
            workers[dormant].parker.unpark();
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
        w.nextPollTick = w.tick() + Math.max(eventInterval, Math.min(queued, MAX_POLL_DEFERRAL));
    }

    /**
     * Wakes another worker to steal from this one if the tasks the last driver poll queued here
     * have waited {@link #HANDOFF_NANOS} and some are still queued. Tokio wakes one at once
     * whenever a poll leaves more than one task; but a poll usually leaves a handful of short
     * tasks, which this worker runs in less time than a sleeping worker takes to wake up, and the
     * woken worker then finds little to steal and parks again (the measurements are in
     * {@code docs/design-notes.md}). This check runs between tasks only: tasks queued behind one
     * long poll are taken by the {@link StallWatch} instead, within a watch period.
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
        // LockSupport.park returns at once while the interrupt status is set, and the status
        // cannot be put back between parks (setting it grants a permit): blockOn is not
        // interruptible, so the status is taken off before each park and set again on return.
        boolean interrupted = false;
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
                    interrupted |= Thread.interrupted();
                    LockSupport.park(this);
                }
            }
        } finally {
            cx.setDriving(false);
            cx.enter(previous);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public List<String> shutdown(long timeoutNanos) {
        checkMayShutDown();
        synchronized (this) {
            if (shutdownStarted) {
                return List.of();
            }
            shutdownStarted = true;
        }
        List<String> running = new ArrayList<>();
        long deadline = System.nanoTime() + timeoutNanos;
        RuntimeContext cx = RuntimeContext.get();
        SchedulerHandle previous = cx.enter(this);
        try {
            // Marked before the workers are told to stop, so that what they still run cancels.
            cancelAll(inject);
            virtualTasks.abortAll();
            shutdown = true;
            for (Worker w : workers) {
                w.parker.unpark();
            }
            if (!joinWorkers(timeoutNanos, deadline)) {
                stealFromStuckWorkers();
                long stuck = Arrays.stream(threads).filter(t -> t != null && t.isAlive()).count();
                running.add(stuck + (stuck == 1 ? " worker thread" : " worker threads") + " still in a task's poll");
            }
            drainAndStopDriver(inject);
        } finally {
            cx.enter(previous);
        }
        if (!blocking.shutdown(timeoutNanos < 0 ? -1 : Math.max(0, deadline - System.nanoTime()))) {
            running.add(Scheduler.blockingStillRunning(blocking.threadCount()));
        }
        int virtual = virtualTasks.awaitAll(timeoutNanos, deadline);
        if (virtual > 0) {
            running.add(virtual + (virtual == 1 ? " virtual task" : " virtual tasks") + " still running");
        }
        return running;
    }

    @Override
    public <T> JoinHandle<T> spawnVirtual(String name, ThrowingSupplier<T> body) {
        return virtualTasks.spawn(name, body);
    }

    @Override
    public int workers() {
        return workers.length;
    }

    @Override
    public long globalQueueDepth() {
        return inject.length();
    }

    @Override
    public long workerPolls(int i) {
        return workers[i].metrics.polls();
    }

    @Override
    public long workerSteals(int i) {
        return workers[i].queue.stolenTasks();
    }

    @Override
    public long workerParks(int i) {
        return workers[i].metrics.parks();
    }

    @Override
    public long workerBusyNanos(int i) {
        return workers[i].metrics.busyNanos(System.nanoTime());
    }

    @Override
    public long workerLocalQueueDepth(int i) {
        // The LIFO slot is the owner's plain field: a racy read that is at worst a moment stale.
        return workers[i].queue.len() + (workers[i].lifo != null ? 1 : 0);
    }

    @Override
    public long workerOverflows(int i) {
        return workers[i].queue.overflowCount();
    }

    @Override
    public boolean pollTimeHistogramEnabled() {
        return workers[0].pollTimes != null;
    }

    @Override
    public long workerPollTimeBucketCount(int i, int bucket) {
        PollTimes times = workers[i].pollTimes;
        return times == null ? 0 : times.count(bucket);
    }

    /** The virtual tasks still alive, for tests. */
    public int virtualTaskCount() {
        return virtualTasks.size();
    }

    /**
     * Cancels what can be taken from the queues of workers still stuck in a poll past the
     * shutdown's timeout. Their LIFO slots cannot be taken from another thread: those tasks are
     * cancelled by their own worker when its poll returns.
     */
    private void stealFromStuckWorkers() {
        LocalQueue scratch = new LocalQueue();
        for (int i = 0; i < workers.length; i++) {
            if (threads[i] == null || !threads[i].isAlive()) {
                continue;
            }
            for (Task<?> t = workers[i].queue.stealInto(scratch); t != null; t = workers[i].queue.stealInto(scratch)) {
                t.run();
                for (Task<?> u = scratch.pop(); u != null; u = scratch.pop()) {
                    u.run();
                }
            }
        }
    }

    @Override
    boolean isShutdown() {
        return shutdown;
    }

    private boolean joinWorkers(long timeoutNanos, long deadline) {
        for (Thread t : threads) {
            if (t != null && !Joins.joinUninterruptibly(t, timeoutNanos, deadline)) {
                return false;
            }
        }
        return true;
    }

    /** The number of workers. */
    public int workerCount() {
        return workers.length;
    }
}
