package dev.kyoto.runtime.sync;

import java.io.Serial;

/**
 * Thrown by {@link Semaphore#acquire(int)} and {@link Semaphore#tryAcquire(int)} once the
 * semaphore has been {@linkplain Semaphore#close() closed}: it hands out no more permits. Closing
 * is how the owner of a semaphore tells every waiter to stop, so the usual response is to give up
 * the work that needed the permit.
 */
public final class SemaphoreClosedException extends Exception {
    @Serial
    private static final long serialVersionUID = 1L;

    /** Creates the exception with the standard message. */
    public SemaphoreClosedException() {
        super("the semaphore was closed and hands out no more permits; its owner closed it to stop "
                + "the waiters, so give up the work that needed the permit");
    }
}
