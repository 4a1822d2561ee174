package dev.kyoto.runtime.spi;

/**
 * One worker's own queue in a driver that keeps one per worker thread (io_uring: a ring each), got
 * from {@link IoDriver#attachWorker()} on the worker's thread. A worker that does not hold the
 * runtime's driver sleeps in its queue rather than on a condition of its own, so that what its
 * queue completes is handled while it sleeps; the holder's {@link IoDriver#park(long)} waits in
 * the holder's own queue.
 *
 * <p>Like {@link IoDriver}: one thread at a time parks (the worker), {@link #unpark()} may be
 * called from any thread, and an unpark with nobody parked makes the next park return at once.
 */
public interface WorkerQueue {

    /**
     * Submits what the queue holds, waits for completions or an unpark, and wakes the tasks they
     * concern. Only on the attached worker's thread.
     *
     * @param timeoutNanos negative to wait until a completion or {@link #unpark()}, zero to poll
     *                     without blocking, positive to wait at most that long
     */
    void park(long timeoutNanos);

    /** Makes the worker's park return soon, or its next park return at once. */
    void unpark();

    /**
     * Turns the queue once without waiting, from a thread other than its worker, if the worker is
     * not in it: the runtime's stall watch calls this for a worker stuck in one task's poll, whose
     * completions and queued submissions would otherwise wait for that poll to end. Wakes go to
     * the calling thread.
     */
    void turnForStalledWorker();
}
