package dev.kyoto.runtime.internal.scheduler;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The watch that one parked worker of a multi-thread runtime keeps while others run tasks, so
 * that a task stuck in one long poll cannot stall the rest of the runtime.
 *
 * <p>A worker in a long poll neither runs the tasks queued behind it nor turns the driver, and
 * nothing else wakes a parked worker for either: the queued tasks were scheduled by the stuck
 * worker itself (wakes during its own driver turn notify nobody until the tasks have waited a
 * while, see {@code MultiThreadScheduler.handOffIfStillQueued}, which only the stuck worker could
 * check), and the driver is left free without anybody being told. So one parked worker, the
 * watcher, parks for at most {@link #PERIOD_NANOS} at a time (less when a timer is due sooner),
 * in the driver or on its condition, and each time it wakes it takes the driver if nobody has
 * taken it since the last look or a timer is overdue (timers and I/O go on), and steals from any
 * worker whose queue holds tasks, or yielded tasks, while its tick has not moved since the last
 * look (the queued work goes on). Tokio only notifies a peer when a driver turn leaves more than one task
 * behind; this also covers the driver left idle behind a single stuck task.
 *
 * <p>A watch costs a wake-up per period, so it sleeps when nothing can stall: when every worker
 * has been parked for a whole period (no worker left the parked state meanwhile), the watcher
 * goes dormant and parks without a timeout. The first worker to leave the parked state after that
 * wakes it ({@link #workerLeftPark()}).
 *
 * <p>Who keeps it: a worker parked on its condition is preferred to the one parked in the
 * driver. The driver's holder wakes with the events it turns and leaves its park for the tasks
 * they woke, and a watcher that leaves its park must hand the watch to another parked worker
 * (an unpark); a worker on its condition leaves its park only when notified, which avoids the
 * watcher where it can ({@link Idle#workerToNotify}). So a worker going to its condition takes
 * the watch over from a watcher in the driver, and the driver's holder keeps it only while no
 * other worker sleeps.
 *
 * <p>{@code state} is {@code NONE} or {@code watcher << 2 | inDriver << 1 | dormant}: which worker
 * keeps the watch, whether it parks in the driver, and whether it sleeps without a timeout. Only
 * the watcher resigns or makes its watch dormant; a worker going to its condition may take the
 * watch from a watcher in the driver; a worker leaving the parked state makes it active again,
 * and then unparks it. {@code activity} counts workers leaving the parked state. The dormant
 * watcher and a worker leaving its park form a Dekker pair: the watcher sets the dormant bit,
 * then reads that no worker is unparked and that {@code activity} has not moved; the leaving
 * worker counts itself unparked (in {@link Idle}) and bumps {@code activity}, then reads the
 * dormant bit. All of it is sequentially consistent, so at least one of them sees the other: the
 * watcher stays active, or the leaving worker wakes it.
 */
final class StallWatch {
    /**
     * How long a watcher parks at most: the longest a stall of queued tasks and I/O can last
     * unnoticed. Each look costs a wake-up that, on a machine with few cores, can displace the
     * thread a ping-pong is spinning on: at 1 ms the watch cost 1-connection echo a fifth of its
     * round trips on 2 cores, at 10 ms nothing measurable (docs/design-notes.md).
     */
    static final long PERIOD_NANOS = 10_000_000;
    /**
     * A watcher parks no longer than until the earliest timer is due plus this, so that a timer
     * behind a stalled driver fires this late at most (a timer registered after the watcher parked
     * may wait up to {@link #PERIOD_NANOS}).
     */
    static final long TIMER_SLACK_NANOS = 1_000_000;
    private static final int NONE = -1;
    private static final int DORMANT = 1;
    private static final int IN_DRIVER = 2;
    private static final int SHIFT = 2;

    private final AtomicInteger state = new AtomicInteger(NONE);
    private final AtomicInteger activity = new AtomicInteger();

    /**
     * Worker {@code index}, about to park in the driver ({@code inDriver}) or on its condition,
     * keeps the watch from now on if nobody keeps it, or (going to its condition) if the watcher
     * parks in the driver.
     *
     * @return whether {@code index} keeps the watch
     */
    boolean claim(int index, boolean inDriver) {
        int mine = index << SHIFT | (inDriver ? IN_DRIVER : 0);
        for (;;) {
            int s = state.get();
            boolean free = s == NONE || s >> SHIFT == index || (!inDriver && (s & IN_DRIVER) != 0);
            if (!free) {
                return false;
            }
            if (state.compareAndSet(s, mine)) {
                return true;
            }
        }
    }

    /** The worker keeping the watch, or -1. */
    int watcher() {
        int s = state.get();
        return s == NONE ? -1 : s >> SHIFT;
    }

    /** Whether worker {@code index} keeps the watch. */
    boolean isWatcher(int index) {
        int s = state.get();
        return s != NONE && s >> SHIFT == index;
    }

    /**
     * Worker {@code index} gives the watch up, if it keeps it.
     *
     * @return whether it kept it (then another parked worker must take it over)
     */
    boolean resign(int index) {
        for (;;) {
            int s = state.get();
            if (s == NONE || s >> SHIFT != index) {
                return false;
            }
            if (state.compareAndSet(s, NONE)) {
                return true;
            }
        }
    }

    /** The activity count, to compare with a later one. */
    int activity() {
        return activity.get();
    }

    /**
     * The watcher {@code index} sleeps without a timeout, unless a worker has left the parked
     * state since {@code seenActivity} was read or is out of it now.
     *
     * @return true if the watch is dormant: park without a timeout
     */
    boolean trySleep(int index, int seenActivity, Idle idle) {
        int active = state.get();
        if (active == NONE || active >> SHIFT != index || (active & DORMANT) != 0
                || !state.compareAndSet(active, active | DORMANT)) {
            return false;
        }
        if (idle.allParked() && activity.get() == seenActivity) {
            return true;
        }
        // Something moved: watch on. If the CAS fails, a leaving worker has woken us already, or
        // a worker going to its condition took the watch.
        state.compareAndSet(active | DORMANT, active);
        return false;
    }

    /**
     * Called by a worker that has just left the parked state (after {@link Idle} counts it
     * unparked).
     *
     * @return the index of a dormant watcher to unpark, or -1
     */
    int workerLeftPark() {
        activity.incrementAndGet();
        for (;;) {
            int s = state.get();
            if (s == NONE || (s & DORMANT) == 0) {
                return -1;
            }
            if (state.compareAndSet(s, s & ~DORMANT)) {
                return s >> SHIFT;
            }
        }
    }
}
