package dev.kyoto.runtime.sync;

import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.spi.Coop;

/**
 * One acquisition of permits from a {@link Semaphore}: the node it waits in and how far it got.
 * The computations that acquire ({@link Semaphore#acquire}, {@link Mutex#lock}, an {@link Mpsc}
 * send or reserve) extend it, so each wait is one object.
 *
 * <p>Fields:
 * <ul>
 *   <li>{@code needed}: the permits asked for; final.</li>
 *   <li>{@code remaining}: how many of them are not assigned yet; guarded by the semaphore's
 *       lock. Only the oldest waiter can hold a partial assignment.</li>
 *   <li>{@code status}: volatile. {@code IDLE} until the first poll; {@code WAITING} while linked
 *       in the semaphore's list; then {@code ASSIGNED} (all permits handed over by a release) or
 *       {@code CLOSED} (the semaphore closed, partial permits returned), both written under the
 *       lock by the thread that unlinked the node; finally {@code DONE}, written by the owner once
 *       it took the outcome or cancelled. The owner reads it without the lock to see whether it
 *       was served.</li>
 * </ul>
 */
abstract class SemaphoreWaiter extends WaitNode {
    static final int IDLE = 0;
    static final int WAITING = 1;
    static final int ASSIGNED = 2;
    static final int CLOSED = 3;
    static final int DONE = 4;

    /** What one poll of an acquisition came to. */
    enum Outcome {
        /** The permits are the caller's now. */
        ACQUIRED,
        /** Not yet; the waker is registered (or the budget is spent and the task will be re-polled). */
        PENDING,
        /** The semaphore is closed; no permits were taken. */
        CLOSED
    }

    final Semaphore semaphore;
    final int needed;
    int remaining;
    volatile int status;

    SemaphoreWaiter(Semaphore semaphore, int needed) {
        this.semaphore = semaphore;
        this.needed = needed;
    }

    /**
     * Polls the acquisition, spending one unit of the cooperative budget (given back when the poll
     * is pending), so a task that acquires in a loop from an always-available semaphore still
     * yields.
     *
     * @throws IllegalStateException if the acquisition already completed
     */
    final Outcome pollAcquire(Context cx) {
        if (!Coop.proceed(cx)) {
            return Outcome.PENDING;
        }
        Outcome o = semaphore.poll(this, cx);
        if (o == Outcome.PENDING) {
            Coop.refund();
        }
        return o;
    }

    /**
     * Abandons the acquisition as if it had never been made: unlinks the node and gives back every
     * permit assigned to it, partially or fully, to the next waiters or the semaphore.
     */
    final void cancelAcquire() {
        semaphore.cancel(this);
    }
}
