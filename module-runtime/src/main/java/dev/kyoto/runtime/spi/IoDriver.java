package dev.kyoto.runtime.spi;

/**
 * The bottom of a runtime's driver stack: turns operating-system readiness into wakes.
 *
 * <p>Exactly one thread at a time parks on a driver (the thread that owns it for that turn);
 * {@link #unpark()} may be called from any thread. An unpark that arrives while no thread is
 * parked makes the next {@link #park(long)} return at once, so a wake is never lost.
 */
public interface IoDriver {

    /**
     * Waits for I/O events and wakes the tasks they concern.
     *
     * @param timeoutNanos negative to wait until an event or {@link #unpark()}, zero to poll
     *                     without blocking, positive to wait at most that long
     */
    void park(long timeoutNanos);

    /**
     * Hands the operating system what the driver has queued and not yet submitted. A driver that
     * batches its submissions into its next {@link #park(long)} (io_uring) must not leave them
     * waiting when no park is coming: the runtime calls this when a thread stops driving it, as a
     * current-thread runtime's {@code blockOn} returns. The default does nothing, for a driver
     * that queues nothing.
     */
    default void flush() {
    }

    /**
     * Gives the calling worker thread of a multi-thread runtime a queue of its own, for a driver
     * that keeps one per worker (io_uring's ring per worker: each submits and waits without
     * sharing a lock with the others). Called once on each worker's thread as it starts, before
     * the runtime is handed out. The default, null, is a driver with one queue for all, whose
     * workers that do not hold it sleep on a condition of their own; a driver may also answer null
     * for a thread it cannot serve so (io_uring for a virtual thread, whose wait in the kernel
     * would pin its carrier).
     */
    default WorkerQueue attachWorker() {
        return null;
    }

    /** Makes a thread parked in {@link #park(long)} return soon, or the next park return at once. */
    void unpark();

    /**
     * Shuts the driver down: every live registration is marked shut down and its waiters are
     * woken, so pending I/O fails with the runtime's shutdown error; later registrations are
     * refused. Idempotent.
     */
    void shutdown();

    /** Counters for observing the driver; reading them never blocks the driver. */
    IoDriverMetrics metrics();
}
