package dev.kyoto.runtime.internal.scheduler;

import dev.kyoto.runtime.internal.driver.Driver;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One worker's parker in a multi-thread runtime. The runtime has one driver, shared: a parking
 * worker that wins {@code driverLock} parks <em>in the driver</em> (so I/O keeps flowing while
 * everyone sleeps); the others park on their own condition.
 *
 * <p>{@code state}: {@code EMPTY}, {@code PARKED_CONDVAR}, {@code PARKED_DRIVER}, or
 * {@code NOTIFIED} (an unpark is pending and the next park returns at once). Only the owning
 * worker moves the state away from {@code NOTIFIED} or into a parked state; {@link #unpark()}
 * swaps in {@code NOTIFIED} and wakes whichever place the worker sleeps in. The condition wait
 * happens with {@code lock} held from the CAS into {@code PARKED_CONDVAR} until {@code await}
 * releases it, and the unparker signals under the same lock, so the signal cannot slip in before
 * the wait.
 */
final class Parker {
    private static final int EMPTY = 0;
    private static final int PARKED_CONDVAR = 1;
    private static final int PARKED_DRIVER = 2;
    private static final int NOTIFIED = 3;
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
    private final AtomicBoolean driverLock;

    Parker(Driver driver, AtomicBoolean driverLock) {
        this.driver = driver;
        this.driverLock = driverLock;
    }

    /** Parks until unparked; with {@code yieldOnly}, only polls the driver if it is free, without sleeping. */
    void park(boolean yieldOnly) {
        if (STATE.compareAndSet(this, NOTIFIED, EMPTY)) {
            return;
        }
        if (driverLock.compareAndSet(false, true)) {
            try {
                parkDriver(yieldOnly);
            } finally {
                driverLock.set(false);
            }
        } else if (!yieldOnly) {
            parkCondvar();
        }
    }

    private void parkDriver(boolean yieldOnly) {
        if (yieldOnly) {
            driver.park(0);
            return;
        }
        if (!STATE.compareAndSet(this, EMPTY, PARKED_DRIVER)) {
            state = EMPTY;
            return;
        }
        driver.park(-1);
        state = EMPTY;
    }

    private void parkCondvar() {
        lock.lock();
        try {
            if (!STATE.compareAndSet(this, EMPTY, PARKED_CONDVAR)) {
                state = EMPTY;
                return;
            }
            while (!STATE.compareAndSet(this, NOTIFIED, EMPTY)) {
                wakeup.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
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
            default -> {
                // EMPTY or NOTIFIED: the worker is awake, and will see NOTIFIED before it sleeps.
            }
        }
    }
}
