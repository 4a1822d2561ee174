package dev.kyoto.runtime;

/**
 * Wakes the task that is waiting on a computation, so that it is polled again.
 *
 * <p>An implementation must be thread-safe, idempotent and cheap: a waker may be woken from any
 * thread, any number of times, and a wake that finds its task already scheduled does nothing.
 * Kyoto's tasks are their own wakers, so waking never allocates.
 */
@FunctionalInterface
public interface Waker {

    /** Schedules the task this waker belongs to for another poll. */
    void wake();

    /** A waker that does nothing, for polling a computation whose progress nobody awaits. */
    static Waker noop() {
        return NoopWaker.INSTANCE;
    }
}
