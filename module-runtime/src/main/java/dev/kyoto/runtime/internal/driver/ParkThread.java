package dev.kyoto.runtime.internal.driver;

import dev.kyoto.runtime.spi.UnparkThread;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * The parker of a runtime without I/O: one thread at a time parks, any thread unparks.
 *
 * <p>{@code state} is {@code EMPTY}, {@code PARKED} (the thread in {@code parked} is, or is about
 * to be, in {@link LockSupport#park}) or {@code NOTIFIED} (an unpark is pending; the next park
 * consumes it and returns at once). Only the parking thread moves the state away from
 * {@code NOTIFIED}; {@code unpark} calls {@link LockSupport#unpark} only when it replaces
 * {@code PARKED}, so an unpark costs one atomic swap when nobody sleeps.
 */
public final class ParkThread implements UnparkThread {
    private static final int EMPTY = 0;
    private static final int PARKED = 1;
    private static final int NOTIFIED = 2;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(ParkThread.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile int state;
    private volatile Thread parked;

    /**
     * Parks the calling thread until unparked or the timeout passes.
     *
     * @param timeoutNanos negative: no limit; zero: only consume a pending unpark
     */
    public void park(long timeoutNanos) {
        if (STATE.compareAndSet(this, NOTIFIED, EMPTY) || timeoutNanos == 0) {
            return;
        }
        parked = Thread.currentThread();
        if (!STATE.compareAndSet(this, EMPTY, PARKED)) {
            state = EMPTY;
            return;
        }
        long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0;
        // LockSupport.park returns at once while the interrupt status is set: a park is not
        // interruptible, so the status is taken off while it waits and set again when it returns.
        // Setting it grants a permit, so the next park's first LockSupport.park returns at once;
        // the loop parks again.
        boolean interrupted = false;
        try {
            while (state == PARKED) {
                interrupted |= Thread.interrupted();
                if (timeoutNanos < 0) {
                    LockSupport.park(this);
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    LockSupport.parkNanos(this, left);
                }
            }
        } finally {
            state = EMPTY;
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void unpark() {
        if ((int) STATE.getAndSet(this, NOTIFIED) == PARKED) {
            LockSupport.unpark(parked);
        }
    }
}
