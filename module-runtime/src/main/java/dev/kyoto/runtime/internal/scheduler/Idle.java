package dev.kyoto.runtime.internal.scheduler;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Who is searching for work and who sleeps, among a multi-thread runtime's workers.
 *
 * <p>{@code state} packs {@code unparked << 16 | searching}: workers not parked, and of those the
 * ones searching for work to steal. It is read without the lock to decide cheaply that nobody
 * needs waking; every change that parks or unparks a worker is made under {@code lock}, which
 * also guards {@code sleepers} (a stack of parked worker indices).
 *
 * <p>At most one worker is woken per burst of new work: a notification happens only while
 * nobody searches, and it counts the woken worker as searching at once. A worker that finds work
 * stops searching and, if it was the last searcher, wakes the next: a chain, never a herd. A
 * worker that parks as the last searcher re-checks every queue, so no wake is lost between its
 * last look and its sleep.
 */
final class Idle {
    private static final int UNPARK_SHIFT = 16;
    private static final int SEARCH_MASK = (1 << UNPARK_SHIFT) - 1;

    private final AtomicInteger state;
    private final ReentrantLock lock = new ReentrantLock();
    private final int[] sleepers;
    private final int numWorkers;
    private int numSleepers;

    Idle(int numWorkers) {
        this.numWorkers = numWorkers;
        this.sleepers = new int[numWorkers];
        this.state = new AtomicInteger(numWorkers << UNPARK_SHIFT);
    }

    private static int searching(int s) {
        return s & SEARCH_MASK;
    }

    private static int unparked(int s) {
        return s >>> UNPARK_SHIFT;
    }

    /**
     * The worker to wake for new work, counted as unparked and searching; -1 if none should be.
     * Another sleeper is preferred to {@code avoid} (the worker keeping the {@link StallWatch}),
     * so that the watch does not change hands with every notification.
     */
    int workerToNotify(int avoid) {
        if (!shouldNotify(state.get())) {
            return -1;
        }
        lock.lock();
        try {
            if (!shouldNotify(state.get()) || numSleepers == 0) {
                return -1;
            }
            state.addAndGet((1 << UNPARK_SHIFT) + 1);
            int pick = numSleepers - 1;
            if (sleepers[pick] == avoid && pick > 0) {
                pick--;
            }
            int index = sleepers[pick];
            sleepers[pick] = sleepers[--numSleepers];
            return index;
        } finally {
            lock.unlock();
        }
    }

    private boolean shouldNotify(int s) {
        return searching(s) == 0 && unparked(s) < numWorkers;
    }

    /**
     * Records that worker {@code index} parks.
     *
     * @return true if it was the last searching worker: it must then re-check for work
     */
    boolean transitionToParked(int index, boolean wasSearching) {
        lock.lock();
        try {
            int prev = state.getAndAdd(-((1 << UNPARK_SHIFT) + (wasSearching ? 1 : 0)));
            sleepers[numSleepers++] = index;
            return wasSearching && searching(prev) == 1;
        } finally {
            lock.unlock();
        }
    }

    /** Starts a search, unless half the workers already search. */
    boolean transitionToSearching() {
        int s = state.get();
        if (2 * searching(s) >= numWorkers) {
            return false;
        }
        // Racing searchers may overshoot the half by a little, as in Tokio; it only costs a spin.
        state.incrementAndGet();
        return true;
    }

    /** Ends a search; true if this was the last searching worker. */
    boolean transitionFromSearching() {
        return searching(state.getAndDecrement()) == 1;
    }

    /**
     * Takes worker {@code index} off the sleepers if it is still there (it woke up by itself with
     * work in hand), counting it unparked but not searching.
     *
     * @return false if a notifier already took it off (and counted it as searching)
     */
    boolean unparkWorker(int index) {
        lock.lock();
        try {
            for (int i = 0; i < numSleepers; i++) {
                if (sleepers[i] == index) {
                    sleepers[i] = sleepers[--numSleepers];
                    state.addAndGet(1 << UNPARK_SHIFT);
                    return true;
                }
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Whether worker {@code index} is still among the sleepers. */
    boolean isParked(int index) {
        lock.lock();
        try {
            for (int i = 0; i < numSleepers; i++) {
                if (sleepers[i] == index) {
                    return true;
                }
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Whether every worker is parked (none is running tasks, or about to). */
    boolean allParked() {
        return unparked(state.get()) == 0;
    }

    /** A parked worker other than {@code except}, or -1 if none is. */
    int anotherSleeper(int except) {
        lock.lock();
        try {
            for (int i = numSleepers - 1; i >= 0; i--) {
                if (sleepers[i] != except) {
                    return sleepers[i];
                }
            }
            return -1;
        } finally {
            lock.unlock();
        }
    }
}
