package dev.kyoto.runtime.internal.task;

/** What a task needs from the scheduler that owns it. */
public interface TaskScheduler {

    /**
     * Queues {@code task} to be run. Called exactly once per transition of the task into the
     * scheduled state, from any thread.
     */
    void schedule(Task<?> task);

    /**
     * Queues {@code task}, which was woken while it was running (it yielded, or woke itself):
     * it goes behind the tasks already waiting, never into a LIFO slot.
     */
    default void scheduleYield(Task<?> task) {
        schedule(task);
    }

    /**
     * Lists {@code task}, whose poll has just returned pending for the first time, among the
     * tasks shutdown must cancel; false if the runtime is shutting down, and the caller then
     * cancels the task. Called by the thread running the task. A task that is queued or running
     * needs no listing: shutdown drains every queue, and {@link #isClosing()} makes the thread
     * that takes it cancel it.
     */
    default boolean adopt(Task<?> task) {
        return true;
    }

    /**
     * Whether shutdown has begun: a task taken from a queue then is cancelled, not polled. Set
     * before shutdown lists the tasks to cancel.
     */
    default boolean isClosing() {
        return false;
    }

    /** Forgets a task that has completed, so shutdown no longer has to cancel it. */
    void release(Task<?> task);

    /**
     * Reports the failure of a task that nobody was waiting for when it failed; by default one
     * WARN line. Called on the completing thread; must not throw.
     */
    default void unhandled(String taskName, Throwable failure) {
        UnhandledFailures.LOG_WARN.report(taskName, failure);
    }
}
