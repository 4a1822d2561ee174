package dev.kyoto.runtime.sync;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.Waker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fair asynchronous semaphore: a count of permits that tasks acquire by waiting, never by
 * blocking a thread. Use it to bound concurrency (at most {@code n} requests in flight), or as the
 * building block of other primitives ({@link Mutex} and bounded {@link Mpsc} channels are built
 * on it).
 *
 * <pre>{@code
 * Semaphore limit = new Semaphore(100);
 * Async<Response> handled = limit.acquire().then(permit ->
 *         handle(request).map(r -> { permit.close(); return r; }));
 * }</pre>
 *
 * <p><b>Fairness.</b> Waiters are served strictly in the order they first polled: a request for
 * many permits at the head of the queue holds back later requests for fewer, and neither
 * {@link #tryAcquire} nor a fresh {@link #acquire} can take permits while anyone is queued. Permits
 * released while tasks wait are handed to them directly, oldest first (the oldest may receive them
 * a few at a time until it has all it asked for).
 *
 * <p><b>Cancellation.</b> Cancelling a pending {@link #acquire} leaves the semaphore as if the
 * acquisition had never been made: its node leaves the queue, and the permits already assigned to
 * it go to the next waiters or back to the count.
 *
 * <p><b>Closing.</b> {@link #close()} wakes every waiter with a {@link SemaphoreClosedException},
 * and later acquisitions fail the same way. Permits already handed out stay valid; closing them
 * still returns their permits to the count.
 *
 * <p>Concurrency state, in the manner of {@code java.util.concurrent}:
 * <ul>
 *   <li>{@code state}: one atomic word, {@code available << 2 | WAITERS | CLOSED}. Acquisitions
 *       take permits from it with a CAS and no lock. {@code WAITERS} is set, under the lock, by
 *       the CAS that queues the first waiter, and cleared, under the lock, by the CAS that empties
 *       the queue; {@code CLOSED} is set once, under the lock.</li>
 *   <li>{@code waiters}: the FIFO of queued acquisitions, guarded by {@code lock}.</li>
 *   <li>{@code total}: the permits the semaphore was created with plus those added since; only
 *       {@link #addPermits} changes it (CAS), so that no count can exceed {@link #MAX_PERMITS}.</li>
 * </ul>
 * Invariant: while {@code WAITERS} is set, {@code available} is 0 and every release goes through
 * the lock and serves the queue first. That one rule gives both fairness (nobody can take permits
 * past a queued waiter) and no lost wake-up (a release cannot slip a permit into the count after a
 * waiter decided to queue). Wakers are collected under the lock and woken after it is released.
 */
public final class Semaphore {
    /** The most permits a semaphore can hold. */
    public static final int MAX_PERMITS = Integer.MAX_VALUE;

    private static final long CLOSED = 1L;
    private static final long WAITERS = 2L;
    private static final int SHIFT = 2;

    private static final VarHandle STATE;
    private static final VarHandle TOTAL;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(Semaphore.class, "state", long.class);
            TOTAL = l.findVarHandle(Semaphore.class, "total", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile long state;
    private volatile int total;
    private final ReentrantLock lock = new ReentrantLock();
    private final WaitList waiters = new WaitList();

    /**
     * Creates a semaphore.
     *
     * @param permits the permits available at first, from 0 to {@link #MAX_PERMITS}
     * @throws IllegalArgumentException if {@code permits} is negative
     */
    public Semaphore(int permits) {
        if (permits < 0) {
            throw new IllegalArgumentException("permits must be 0 or more, got " + permits);
        }
        state = (long) permits << SHIFT;
        total = permits;
    }

    /**
     * A computation that waits for one permit; see {@link #acquire(int)}.
     *
     * @return the computation
     */
    public Async<Permit> acquire() {
        return acquire(1);
    }

    /**
     * A computation that waits until {@code permits} permits are available and takes them all at
     * once. Nothing is taken or queued until it is first polled; from then on it keeps its place
     * in the queue. Every poll spends one unit of the task's cooperative budget.
     *
     * @param permits how many, at least 1
     * @return the computation; it yields a {@link Permit} that gives the permits back when
     *         closed, or fails with {@link SemaphoreClosedException} if the semaphore is closed
     *         before it got them
     * @throws IllegalArgumentException if {@code permits} is less than 1
     */
    public Async<Permit> acquire(int permits) {
        return new Acquire(this, requirePositive(permits));
    }

    /**
     * Takes one permit now if it is available; see {@link #tryAcquire(int)}.
     *
     * @return the permit, or empty if none is available now
     * @throws SemaphoreClosedException if the semaphore is closed
     */
    public Optional<Permit> tryAcquire() throws SemaphoreClosedException {
        return tryAcquire(1);
    }

    /**
     * Takes {@code permits} permits now if they are available and nobody is queued for permits.
     *
     * @param permits how many, at least 1
     * @return the permit, or empty if the permits are not available now
     * @throws SemaphoreClosedException if the semaphore is closed
     * @throws IllegalArgumentException if {@code permits} is less than 1
     */
    public Optional<Permit> tryAcquire(int permits) throws SemaphoreClosedException {
        return switch (tryTake(requirePositive(permits))) {
            case ACQUIRED -> Optional.of(new Permit(this, permits));
            case PENDING -> Optional.empty();
            case CLOSED -> throw new SemaphoreClosedException();
        };
    }

    /**
     * Adds permits: they go to the queued waiters first, oldest first, and the rest to the count.
     *
     * @param permits how many, 0 or more
     * @throws IllegalArgumentException if {@code permits} is negative, or if the semaphore would
     *         then have been given more than {@link #MAX_PERMITS} permits in all
     */
    public void addPermits(int permits) {
        if (permits < 0) {
            throw new IllegalArgumentException("permits to add must be 0 or more, got " + permits);
        }
        int t = total;
        for (;;) {
            if (permits > MAX_PERMITS - t) {
                throw new IllegalArgumentException("adding " + permits + " permits to a semaphore that has "
                        + t + " in all would exceed MAX_PERMITS (" + MAX_PERMITS + ")");
            }
            int witness = (int) TOTAL.compareAndExchange(this, t, t + permits);
            if (witness == t) {
                break;
            }
            t = witness;
        }
        release(permits);
    }

    /** The permits that could be taken right now (0 whenever anyone is queued). */
    public int availablePermits() {
        return (int) (state >>> SHIFT);
    }

    /**
     * Closes the semaphore: every queued acquisition fails with {@link SemaphoreClosedException},
     * and so does every later one. An acquisition whose permits were all handed over before the
     * close still completes with them. Idempotent.
     */
    public void close() {
        WaitNode woken;
        lock.lock();
        try {
            long s = state;
            if ((s & CLOSED) != 0) {
                return;
            }
            woken = waiters.removeAll();
            long returned = 0;
            for (WaitNode n = woken; n != null; n = n.next) {
                SemaphoreWaiter w = (SemaphoreWaiter) n;
                returned += w.needed - w.remaining;
                w.status = SemaphoreWaiter.CLOSED;
            }
            for (;;) {
                long next = (((s >>> SHIFT) + returned) << SHIFT) | CLOSED;
                long witness = (long) STATE.compareAndExchange(this, s, next);
                if (witness == s) {
                    break;
                }
                s = witness;
            }
        } finally {
            lock.unlock();
        }
        WaitList.wakeAll(woken);
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return (state & CLOSED) != 0;
    }

    /** How many acquisitions are queued; for tests. */
    int waiterCount() {
        lock.lock();
        try {
            return waiters.size();
        } finally {
            lock.unlock();
        }
    }

    private static int requirePositive(int permits) {
        if (permits < 1) {
            throw new IllegalArgumentException("permits to acquire must be 1 or more, got " + permits);
        }
        return permits;
    }

    /**
     * Takes {@code n} permits without waiting. No lock: while anyone is queued the count is 0,
     * so this cannot overtake a waiter.
     *
     * @return {@code ACQUIRED}, {@code PENDING} if there are not enough now, or {@code CLOSED}
     */
    SemaphoreWaiter.Outcome tryTake(int n) {
        long s = state;
        for (;;) {
            if ((s & CLOSED) != 0) {
                return SemaphoreWaiter.Outcome.CLOSED;
            }
            if ((s >>> SHIFT) < n) {
                return SemaphoreWaiter.Outcome.PENDING;
            }
            long witness = (long) STATE.compareAndExchange(this, s, s - ((long) n << SHIFT));
            if (witness == s) {
                return SemaphoreWaiter.Outcome.ACQUIRED;
            }
            s = witness;
        }
    }

    /**
     * Gives back {@code n} permits taken earlier. Without waiters this is one CAS; with waiters
     * the permits are assigned to them under the lock and the served ones are woken after it.
     */
    void release(int n) {
        long s = state;
        while ((s & WAITERS) == 0) {
            long witness = (long) STATE.compareAndExchange(this, s, s + ((long) n << SHIFT));
            if (witness == s) {
                return;
            }
            s = witness;
        }
        WaitNode woken;
        lock.lock();
        try {
            woken = assignLocked(n);
        } finally {
            lock.unlock();
        }
        WaitList.wakeAll(woken);
    }

    /**
     * Hands {@code n} permits to the queue, oldest first, and puts what is left into the count,
     * clearing {@code WAITERS} in the same CAS when the queue is empty. Call with the lock held.
     *
     * @return the chain of fully served waiters, to wake once the lock is released
     */
    private WaitNode assignLocked(long n) {
        int served = 0;
        for (WaitNode node = waiters.first(); node != null && n > 0; node = node.next) {
            SemaphoreWaiter w = (SemaphoreWaiter) node;
            int take = (int) Math.min(n, w.remaining);
            w.remaining -= take;
            n -= take;
            if (w.remaining > 0) {
                break;
            }
            served++;
        }
        WaitNode woken = waiters.removeFirst(served);
        for (WaitNode c = woken; c != null; c = c.next) {
            ((SemaphoreWaiter) c).status = SemaphoreWaiter.ASSIGNED;
        }
        if (waiters.isEmpty()) {
            long s = state;
            for (;;) {
                long next = (((s >>> SHIFT) + n) << SHIFT) | (s & CLOSED);
                long witness = (long) STATE.compareAndExchange(this, s, next);
                if (witness == s) {
                    break;
                }
                s = witness;
            }
        }
        return woken;
    }

    /** One poll of an acquisition; see {@link SemaphoreWaiter#pollAcquire}. */
    SemaphoreWaiter.Outcome poll(SemaphoreWaiter w, Context cx) {
        int st = w.status;
        if (st == SemaphoreWaiter.WAITING) {
            Waker waker = cx.waker();
            if (w.waker == waker) {
                // Registered already: whoever serves or closes the node wakes this waker.
                return SemaphoreWaiter.Outcome.PENDING;
            }
            lock.lock();
            try {
                st = w.status;
                if (st == SemaphoreWaiter.WAITING) {
                    w.waker = waker;
                    return SemaphoreWaiter.Outcome.PENDING;
                }
            } finally {
                lock.unlock();
            }
        }
        switch (st) {
            case SemaphoreWaiter.IDLE:
                return first(w, cx);
            case SemaphoreWaiter.ASSIGNED:
                w.status = SemaphoreWaiter.DONE;
                return SemaphoreWaiter.Outcome.ACQUIRED;
            case SemaphoreWaiter.CLOSED:
                w.status = SemaphoreWaiter.DONE;
                return SemaphoreWaiter.Outcome.CLOSED;
            default:
                throw new IllegalStateException("this acquisition already completed; call acquire() again for more permits");
        }
    }

    /** The first poll: take the permits at once, or take what there is and queue for the rest. */
    private SemaphoreWaiter.Outcome first(SemaphoreWaiter w, Context cx) {
        SemaphoreWaiter.Outcome now = tryTake(w.needed);
        if (now != SemaphoreWaiter.Outcome.PENDING) {
            w.status = SemaphoreWaiter.DONE;
            return now;
        }
        long n = w.needed;
        lock.lock();
        try {
            long s = state;
            for (;;) {
                if ((s & CLOSED) != 0) {
                    w.status = SemaphoreWaiter.DONE;
                    return SemaphoreWaiter.Outcome.CLOSED;
                }
                long available = s >>> SHIFT;
                long next = available >= n ? s - (n << SHIFT) : WAITERS;
                long witness = (long) STATE.compareAndExchange(this, s, next);
                if (witness != s) {
                    s = witness;
                    continue;
                }
                if (available >= n) {
                    w.status = SemaphoreWaiter.DONE;
                    return SemaphoreWaiter.Outcome.ACQUIRED;
                }
                // Took what there was and set WAITERS in the same CAS: from now on releases come
                // through this lock and serve the queue, so none can be missed.
                w.remaining = (int) (n - available);
                break;
            }
            w.waker = cx.waker();
            w.status = SemaphoreWaiter.WAITING;
            waiters.add(w);
            return SemaphoreWaiter.Outcome.PENDING;
        } finally {
            lock.unlock();
        }
    }

    /** Abandons an acquisition; see {@link SemaphoreWaiter#cancelAcquire}. */
    void cancel(SemaphoreWaiter w) {
        int st = w.status;
        if (st == SemaphoreWaiter.WAITING) {
            WaitNode woken = null;
            lock.lock();
            try {
                st = w.status;
                if (st == SemaphoreWaiter.WAITING) {
                    waiters.remove(w);
                    w.status = SemaphoreWaiter.DONE;
                    // Even with nothing to give back, this clears WAITERS if the queue is now empty.
                    woken = assignLocked(w.needed - w.remaining);
                }
            } finally {
                lock.unlock();
            }
            WaitList.wakeAll(woken);
        }
        if (st == SemaphoreWaiter.ASSIGNED) {
            w.status = SemaphoreWaiter.DONE;
            release(w.needed);
        } else {
            w.status = SemaphoreWaiter.DONE;
        }
    }

    /**
     * Permits taken from a {@link Semaphore}; {@link #close()} gives them back. Close it exactly
     * when the work the permits guard is over, typically with try-with-resources.
     */
    public static final class Permit implements AutoCloseable {
        private static final VarHandle COUNT;

        static {
            try {
                COUNT = MethodHandles.lookup().findVarHandle(Permit.class, "count", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final Semaphore semaphore;
        /** The permits held; set to 0 by the one close that returns them. */
        private volatile int count;

        Permit(Semaphore semaphore, int count) {
            this.semaphore = semaphore;
            this.count = count;
        }

        /** How many permits this holds: what was acquired, or 0 once closed. */
        public int count() {
            return count;
        }

        /** Gives the permits back to the semaphore, waking waiters they satisfy. Idempotent. */
        @Override
        public void close() {
            int n = (int) COUNT.getAndSet(this, 0);
            if (n != 0) {
                semaphore.release(n);
            }
        }
    }

    /** The computation behind {@link #acquire(int)}; it is its own waiter node. */
    private static final class Acquire extends SemaphoreWaiter implements Async<Permit> {
        Acquire(Semaphore semaphore, int permits) {
            super(semaphore, permits);
        }

        @Override
        public Poll<Permit> poll(Context cx) throws SemaphoreClosedException {
            return switch (pollAcquire(cx)) {
                case ACQUIRED -> Poll.ready(new Permit(semaphore, needed));
                case PENDING -> Poll.pending();
                case CLOSED -> throw new SemaphoreClosedException();
            };
        }

        @Override
        public void cancel() {
            cancelAcquire();
        }
    }
}
