package dev.kyoto.runtime.sync;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.Waker;
import dev.kyoto.runtime.spi.Coop;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes waiting tasks without passing data: the asynchronous form of a condition, for "something
 * changed, look again".
 *
 * <ul>
 *   <li>{@link #notifyOne()} completes the oldest pending {@link #notified()}; when nobody waits it
 *       stores one permit instead, which the next {@code notified()} consumes at once. Permits do
 *       not add up: many calls with nobody waiting store one.</li>
 *   <li>{@link #notifyLast()} does the same for the newest pending {@code notified()} (Tokio's
 *       {@code notify_last}), for a stack of idle workers where the one that waited least is
 *       likeliest to still have its caches warm.</li>
 *   <li>{@link #notifyWaiters()} completes every {@code notified()} created before the call (even
 *       one not polled yet), and stores nothing.</li>
 * </ul>
 *
 * <pre>{@code
 * // consumer                                         // producer
 * loop: if (queue.poll() == null) await notify.notified();     queue.add(x); notify.notifyOne();
 * }</pre>
 *
 * <p>A pending {@code notified()} that is cancelled leaves the Notify as if it had never waited;
 * if {@code notifyOne} or {@code notifyLast} had already chosen it, the notification passes to the
 * next waiter in the same order (the now oldest, or the now newest), or is stored as the permit.
 *
 * <p>Concurrency state:
 * <ul>
 *   <li>{@code state}: atomic word {@code calls << 2 | phase}. {@code calls} counts
 *       {@code notifyWaiters} calls, changed only under the lock. {@code phase} is {@code EMPTY},
 *       {@code WAITING} (the list is not empty) or {@code NOTIFIED} (a permit is stored).
 *       {@code EMPTY <-> NOTIFIED} moves by CAS without the lock; moves into and out of
 *       {@code WAITING} happen only under the lock.</li>
 *   <li>{@code waiters}: pending {@code notified()} computations, FIFO, guarded by {@code lock}.</li>
 * </ul>
 * Invariant: phase is {@code WAITING} exactly when the list is non-empty, so a permit is never
 * stored while somebody waits. {@code calls} moves only after every waiter queued before the
 * call was unlinked, so a queued waiter that sees it moved was dequeued by that call; and it
 * moves before those waiters are marked, so {@code notifyWaiters} is seen whole: a task that saw
 * one of them complete sees all of them complete, and a {@code notified()} it makes afterwards
 * waits for the next notification. Wakers are woken after the lock is released.
 */
public final class Notify {
    private static final long EMPTY = 0;
    private static final long WAITING = 1;
    private static final long NOTIFIED = 2;
    private static final long PHASE = 3;
    private static final long ONE_CALL = 4;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Notify.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile long state;
    private final ReentrantLock lock = new ReentrantLock();
    private final WaitList waiters = new WaitList();

    /** Creates a Notify with no stored permit. */
    public Notify() {
    }

    /**
     * A computation that completes when this Notify is notified: by {@link #notifyOne()} (or a
     * stored permit) once it has been polled, or by any {@link #notifyWaiters()} called after this
     * method returned. Every poll spends one unit of the task's cooperative budget.
     *
     * @return the computation
     */
    public Async<Void> notified() {
        return new Notified(this, state & ~PHASE);
    }

    /** Completes the oldest pending {@link #notified()}, or stores one permit if none is pending. */
    public void notifyOne() {
        notify(Notified.ONE);
    }

    /**
     * Completes the newest pending {@link #notified()} (the last one queued), or stores one permit
     * if none is pending, exactly as {@link #notifyOne()} does with the oldest.
     */
    public void notifyLast() {
        notify(Notified.LAST);
    }

    /** notifyOne or notifyLast, as {@code order} ({@code Notified.ONE} or {@code LAST}) says. */
    private void notify(int order) {
        long s = state;
        for (;;) {
            if ((s & PHASE) != WAITING) {
                long next = (s & ~PHASE) | NOTIFIED;
                long witness = (long) STATE.compareAndExchange(this, s, next);
                if (witness == s) {
                    return;
                }
                s = witness;
                continue;
            }
            Notified chosen;
            lock.lock();
            try {
                chosen = notifyLocked(order);
            } finally {
                lock.unlock();
            }
            if (chosen != null) {
                chosen.waker.wake();
            }
            return;
        }
    }

    /**
     * Completes every {@link #notified()} created before this call, pending or not yet polled.
     * Stores no permit.
     */
    public void notifyWaiters() {
        WaitNode woken = null;
        lock.lock();
        try {
            long s = state;
            if ((s & PHASE) == WAITING) {
                woken = waiters.removeAll();
                // The count before the marks: a waiter polled without the lock completes on either,
                // and whoever saw one mark then sees the count, so the call is observed whole.
                state = (s & ~PHASE) + ONE_CALL;
                for (WaitNode n = woken; n != null; n = n.next) {
                    ((Notified) n).notification = Notified.ALL;
                }
            } else {
                // No waiter is linked, but computations created earlier compare their call count.
                STATE.getAndAdd(this, ONE_CALL);
            }
        } finally {
            lock.unlock();
        }
        WaitList.wakeAll(woken);
    }

    /** How many notified() computations are queued; for tests. */
    int waiterCount() {
        lock.lock();
        try {
            return waiters.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Chooses the oldest ({@code order} is {@code Notified.ONE}) or newest ({@code LAST}) waiter,
     * or stores the permit when there is none. Call with the lock held; wake the returned waiter
     * (if any) after releasing it.
     */
    private Notified notifyLocked(int order) {
        long s = state;
        for (;;) {
            if ((s & PHASE) == WAITING) {
                Notified n = (Notified) (order == Notified.LAST ? waiters.removeLast() : waiters.removeFirst(1));
                n.notification = order;
                if (waiters.isEmpty()) {
                    // Under the lock nobody else moves the phase out of WAITING.
                    state = s & ~PHASE;
                }
                return n;
            }
            long witness = (long) STATE.compareAndExchange(this, s, (s & ~PHASE) | NOTIFIED);
            if (witness == s) {
                return null;
            }
            s = witness;
        }
    }

    /**
     * Whether a {@code notified()} created when the call count was {@code calls} may complete now:
     * a {@code notifyWaiters} happened since, or a stored permit was there and is now consumed.
     */
    private boolean takeNotification(long calls) {
        long s = state;
        for (;;) {
            if ((s & ~PHASE) != calls) {
                return true;
            }
            if ((s & PHASE) != NOTIFIED) {
                return false;
            }
            long witness = (long) STATE.compareAndExchange(this, s, s & ~PHASE);
            if (witness == s) {
                return true;
            }
            s = witness;
        }
    }

    /**
     * The computation behind {@link #notified()}; it is its own waiter node.
     *
     * <p>{@code phase} is the owner's: {@code INIT} until it is queued, {@code QUEUED}, then
     * {@code DONE}. {@code notification} is volatile, written under the lock by whoever removes
     * the node from the list ({@code ONE}, {@code LAST} or {@code ALL}), read by the owner without
     * the lock.
     */
    private static final class Notified extends WaitNode implements Async<Void> {
        static final int NONE = 0;
        static final int ONE = 1;
        static final int ALL = 2;
        static final int LAST = 3;

        private static final int INIT = 0;
        private static final int QUEUED = 1;
        private static final int DONE = 2;

        private static final Poll<Void> READY = Poll.ready(null);

        private final Notify notify;
        /** The notifyWaiters count when this computation was created. */
        private final long calls;
        private int phase = INIT;
        volatile int notification = NONE;

        Notified(Notify notify, long calls) {
            this.notify = notify;
            this.calls = calls;
        }

        @Override
        public Poll<Void> poll(Context cx) {
            if (phase == DONE) {
                throw new IllegalStateException("this notified() already completed; call notified() again to wait again");
            }
            if (!Coop.proceed(cx)) {
                return Poll.pending();
            }
            if (phase == INIT ? pollFirst(cx) : pollQueued(cx)) {
                phase = DONE;
                return READY;
            }
            Coop.refund();
            return Poll.pending();
        }

        private boolean pollFirst(Context cx) {
            if (notify.takeNotification(calls)) {
                return true;
            }
            notify.lock.lock();
            try {
                // Decided under the lock, where the count cannot change and the phase can only move
                // from EMPTY to NOTIFIED: a notifyOne either stored its permit before the CAS below
                // (consumed here) or finds the phase WAITING and takes the lock to choose a waiter.
                long s = notify.state;
                for (;;) {
                    if ((s & ~PHASE) != calls) {
                        return true;
                    }
                    long phase = s & PHASE;
                    if (phase == WAITING) {
                        break;
                    }
                    long next = phase == NOTIFIED ? s & ~PHASE : s | WAITING;
                    long witness = (long) STATE.compareAndExchange(notify, s, next);
                    if (witness == s) {
                        if (phase == NOTIFIED) {
                            return true;
                        }
                        break;
                    }
                    s = witness;
                }
                waker = cx.waker();
                notify.waiters.add(this);
                phase = QUEUED;
                return false;
            } finally {
                notify.lock.unlock();
            }
        }

        private boolean pollQueued(Context cx) {
            if (isNotified()) {
                return true;
            }
            Waker w = cx.waker();
            if (waker == w) {
                return false;
            }
            notify.lock.lock();
            try {
                if (isNotified()) {
                    return true;
                }
                waker = w;
                return false;
            } finally {
                notify.lock.unlock();
            }
        }

        /**
         * Whether this queued computation was notified: chosen by notifyOne, or (the call count
         * moved) dequeued by a notifyWaiters, which counts the call before it marks its waiters.
         */
        private boolean isNotified() {
            return notification != NONE || (notify.state & ~PHASE) != calls;
        }

        @Override
        public void cancel() {
            if (phase != QUEUED) {
                phase = DONE;
                return;
            }
            phase = DONE;
            Notified passedOn = null;
            notify.lock.lock();
            try {
                if (isLinked()) {
                    notify.waiters.remove(this);
                    if (notify.waiters.isEmpty()) {
                        notify.state = notify.state & ~PHASE;
                    }
                } else if (notification == ONE || notification == LAST) {
                    // Chosen by notifyOne or notifyLast but never completed: the notification is
                    // not lost, and goes on in the order its caller asked for.
                    passedOn = notify.notifyLocked(notification);
                }
            } finally {
                notify.lock.unlock();
            }
            if (passedOn != null) {
                passedOn.waker.wake();
            }
        }
    }
}
