package dev.kyoto.runtime.internal.blocking;

import dev.kyoto.runtime.internal.task.BlockingTask;
import dev.kyoto.runtime.internal.thread.RuntimeThreads;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool that runs blocking work (DNS lookups, {@code spawnBlocking}) off the runtime's
 * threads. It grows one thread at a time up to {@code maxThreads} when no thread is idle, and
 * an idle thread exits after {@code keepAliveNanos}.
 *
 * <p>All fields below are guarded by {@code lock}. {@code idle} counts threads waiting for work
 * that nobody has claimed; a submit that finds one claims it ({@code idle--},
 * {@code notified++}) and signals, so two quick submits never count on the same idle thread.
 * {@code threads} counts threads that will still take work; {@code alive} also counts those
 * that have stopped taking work but not yet finished (their stop hook may still run), and
 * shutdown waits on {@code exited} until it is zero.
 *
 * <p>A thread that cannot serve (its start failed, or its start hook threw) gives its place
 * back at once, so the pool never loses capacity to it. The work queued for it is failed, not
 * stranded, when no other thread is left to run it: {@code threads == 0} with a non-empty queue
 * never outlasts the lock hold that made it so.
 */
public final class BlockingPool {
    private static final Logger LOG = LoggerFactory.getLogger(BlockingPool.class);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final Condition exited = lock.newCondition();
    private final ArrayDeque<BlockingTask<?>> queue = new ArrayDeque<>();
    private final int maxThreads;
    private final long keepAliveNanos;
    private final RuntimeThreads threadConfig;
    private int threads;
    private int alive;
    private int idle;
    private int notified;
    private int nextId;
    private boolean shutdown;

    public BlockingPool(int maxThreads, long keepAliveNanos, RuntimeThreads threadConfig) {
        this.maxThreads = maxThreads;
        this.keepAliveNanos = keepAliveNanos;
        this.threadConfig = threadConfig;
    }

    /** Queues {@code task}; after shutdown the task is cancelled instead. */
    public void submit(BlockingTask<?> task) {
        int fresh = -1;
        boolean refused = false;
        lock.lock();
        try {
            if (shutdown) {
                refused = true;
            } else {
                queue.add(task);
                if (idle > 0) {
                    idle--;
                    notified++;
                    work.signal();
                } else if (threads < maxThreads) {
                    threads++;
                    alive++;
                    fresh = nextId++;
                }
            }
        } finally {
            lock.unlock();
        }
        if (refused) {
            task.abort();
        } else if (fresh >= 0) {
            start(fresh);
        }
    }

    private void start(int id) {
        try {
            threadConfig.newThread(id, this::runWorker).start();
        } catch (Throwable e) {
            String name = threadConfig.name() + "-" + id;
            LOG.warn("could not start Kyoto blocking thread {}", name, e);
            giveBack(new RejectedExecutionException("no thread could be started to run this blocking work: starting "
                    + name + " failed with " + e, e));
        }
    }

    private void runWorker() {
        Throwable hookFailure = threadConfig.runStartHook();
        if (hookFailure != null) {
            giveBack(new RejectedExecutionException("no thread could run this blocking work: the onThreadStart hook threw on "
                    + Thread.currentThread().getName() + ": " + hookFailure, hookFailure));
            return;
        }
        try {
            serve();
        } finally {
            threadConfig.runStopHook();
            lock.lock();
            try {
                if (--alive == 0) {
                    exited.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Takes back the place of a thread that will never serve; if it was the last, fails the work
     * queued for it with {@code failure}, which says why.
     */
    private void giveBack(RejectedExecutionException failure) {
        List<BlockingTask<?>> stranded = List.of();
        lock.lock();
        try {
            threads--;
            if (--alive == 0) {
                exited.signalAll();
            }
            if (threads == 0 && !queue.isEmpty()) {
                stranded = List.copyOf(queue);
                queue.clear();
            }
        } finally {
            lock.unlock();
        }
        for (BlockingTask<?> t : stranded) {
            t.reject(failure);
        }
    }

    private void serve() {
        lock.lock();
        try {
            for (;;) {
                BlockingTask<?> task = queue.poll();
                if (task != null) {
                    lock.unlock();
                    try {
                        task.run();
                    } finally {
                        lock.lock();
                    }
                    continue;
                }
                if (shutdown || !awaitWork()) {
                    break;
                }
            }
            threads--;
        } finally {
            lock.unlock();
        }
    }

    /** Waits idle for a claim; false if the keep-alive ran out or the pool shut down. */
    private boolean awaitWork() {
        idle++;
        long nanos = keepAliveNanos;
        for (;;) {
            try {
                nanos = work.awaitNanos(nanos);
            } catch (InterruptedException e) {
                nanos = 0;
            }
            if (notified > 0) {
                notified--;
                return true;
            }
            if (shutdown || nanos <= 0) {
                idle--;
                return false;
            }
        }
    }

    /**
     * Stops the pool: queued work is cancelled, idle threads exit, and running work is awaited
     * for at most {@code timeoutNanos} (negative: without limit).
     *
     * @return true if every thread exited in time
     */
    public boolean shutdown(long timeoutNanos) {
        ArrayDeque<BlockingTask<?>> cancelled;
        lock.lock();
        try {
            shutdown = true;
            cancelled = new ArrayDeque<>(queue);
            queue.clear();
            work.signalAll();
        } finally {
            lock.unlock();
        }
        for (BlockingTask<?> t : cancelled) {
            t.abort();
        }
        lock.lock();
        try {
            long nanos = timeoutNanos;
            while (alive > 0) {
                if (timeoutNanos < 0) {
                    exited.awaitUninterruptibly();
                } else if (nanos <= 0) {
                    return false;
                } else {
                    try {
                        nanos = exited.awaitNanos(nanos);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                }
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Threads waiting for work that no submit has claimed, for metrics. */
    public int idleThreadCount() {
        lock.lock();
        try {
            return idle;
        } finally {
            lock.unlock();
        }
    }

    /** Work waiting for a thread, for metrics. */
    public int queueDepth() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** Live threads, for tests and metrics. */
    public int threadCount() {
        lock.lock();
        try {
            return threads;
        } finally {
            lock.unlock();
        }
    }
}
