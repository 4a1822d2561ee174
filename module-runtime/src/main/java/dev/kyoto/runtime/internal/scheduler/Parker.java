package dev.kyoto.runtime.internal.scheduler;

import dev.kyoto.runtime.internal.driver.Driver;
import dev.kyoto.runtime.spi.WorkerQueue;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One worker's parker in a multi-thread runtime. The runtime has one driver, shared: a parking
 * worker that wins {@code driverLock} parks <em>in the driver</em> (so I/O keeps flowing while
 * everyone sleeps); the others park on their own condition, or, when the driver keeps a queue
 * per worker ({@link WorkerQueue}, io_uring's ring per worker), in that queue, so that what it
 * completes is handled while they sleep.
 *
 * <p>{@code state}: {@code EMPTY}, {@code PARKED_CONDVAR}, {@code PARKED_DRIVER},
 * {@code PARKED_QUEUE}, or {@code NOTIFIED} (an unpark is pending and the next park returns at
 * once). {@code queue} is written once, by the worker before the runtime is handed out, and read
 * by the worker, by unparkers that have seen {@code PARKED_QUEUE} and by the stall watch (which
 * is why it is volatile: the watch reads it without a handshake). Only the owning worker moves
 * the state away from {@code NOTIFIED} or into a parked state; {@link #unpark()} swaps in
 * {@code NOTIFIED} and wakes whichever place the worker sleeps in. The condition wait
 * happens with {@code lock} held from the CAS into {@code PARKED_CONDVAR} until {@code await}
 * releases it, and the unparker signals under the same lock, so the signal cannot slip in before
 * the wait. A park with a timeout that runs out moves {@code PARKED_CONDVAR} back to
 * {@code EMPTY} by CAS, so an unpark racing the timeout is never lost: either the CAS fails and
 * the park consumes the {@code NOTIFIED}, or the unpark finds {@code EMPTY} and the next park
 * returns at once.
 */
final class Parker {
    private static final int EMPTY = 0;
    private static final int PARKED_CONDVAR = 1;
    private static final int PARKED_DRIVER = 2;
    private static final int NOTIFIED = 3;
    private static final int PARKED_QUEUE = 4;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Parker.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile int state;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wakeup = lock.newCondition();
    private final Driver driver;
    private final DriverLock driverLock;
    private volatile WorkerQueue queue;

    Parker(Driver driver, DriverLock driverLock) {
        this.driver = driver;
        this.driverLock = driverLock;
    }

    /** Sets the worker's own driver queue; on the worker's thread, before it first parks. */
    void attach(WorkerQueue queue) {
        this.queue = queue;
    }

    /** Whether the worker sleeps in a driver queue of its own rather than on its condition. */
    boolean hasQueue() {
        return queue != null;
    }

    /** Consumes a pending unpark; true if there was one, and the worker should not sleep. */
    boolean consumeUnpark() {
        return STATE.compareAndSet(this, NOTIFIED, EMPTY);
    }

    /** Takes the shared driver if no worker holds it; {@link #releaseDriver()} gives it back. */
    boolean tryHoldDriver() {
        return driverLock.tryLock();
    }

    void releaseDriver() {
        driverLock.unlock();
    }

    /**
     * Polls the driver without blocking if no other worker holds it, else polls the worker's own
     * queue, or without one flushes what this worker's tasks queued for the driver (a busy worker
     * must not hold its sends back from a driver another worker waits in); consumes a pending
     * unpark.
     */
    void parkYield() {
        if (consumeUnpark()) {
            return;
        }
        if (tryHoldDriver()) {
            try {
                driver.park(0);
            } finally {
                releaseDriver();
            }
        } else if (queue != null) {
            queue.park(0);
        } else {
            driver.flush();
        }
    }

    /**
     * Parks in the worker's own queue until unparked or until it completes something, or for at
     * most {@code timeoutNanos} (negative: no limit).
     */
    void parkQueue(long timeoutNanos) {
        if (!STATE.compareAndSet(this, EMPTY, PARKED_QUEUE)) {
            state = EMPTY;
            return;
        }
        queue.park(timeoutNanos);
        state = EMPTY;
    }

    /** Turns the worker's queue from the calling thread, the stall watch's, while the worker is stuck in a poll. */
    void turnForStalledWorker() {
        if (queue != null) {
            queue.turnForStalledWorker();
        }
    }

    /**
     * Holding the driver: parks in it until unparked, or for at most {@code timeoutNanos}
     * (negative: no limit).
     */
    void parkDriver(long timeoutNanos) {
        if (!STATE.compareAndSet(this, EMPTY, PARKED_DRIVER)) {
            state = EMPTY;
            return;
        }
        driver.park(timeoutNanos);
        state = EMPTY;
    }

    /** Parks on the worker's own condition until unparked, or for at most {@code timeoutNanos} (negative: no limit). */
    void parkCondvar(long timeoutNanos) {
        boolean interrupted = false;
        lock.lock();
        try {
            if (!STATE.compareAndSet(this, EMPTY, PARKED_CONDVAR)) {
                state = EMPTY;
                return;
            }
            long left = timeoutNanos;
            while (!STATE.compareAndSet(this, NOTIFIED, EMPTY)) {
                if (timeoutNanos < 0) {
                    wakeup.awaitUninterruptibly();
                } else if (left <= 0) {
                    if (STATE.compareAndSet(this, PARKED_CONDVAR, EMPTY)) {
                        return;
                    }
                } else {
                    try {
                        left = wakeup.awaitNanos(left);
                    } catch (InterruptedException e) {
                        // Kyoto never interrupts its workers; keep the flag for whoever did.
                        interrupted = true;
                    }
                }
            }
        } finally {
            lock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Wakes the worker, or makes its next park return at once. */
    void unpark() {
        switch ((int) STATE.getAndSet(this, NOTIFIED)) {
            case PARKED_CONDVAR -> {
                lock.lock();
                try {
                    wakeup.signal();
                } finally {
                    lock.unlock();
                }
            }
            case PARKED_DRIVER -> driver.unpark();
            case PARKED_QUEUE -> queue.unpark();
            default -> {
                // EMPTY or NOTIFIED: the worker is awake, and will see NOTIFIED before it sleeps.
            }
        }
    }
}
