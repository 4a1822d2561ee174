package dev.kyoto.runtime.internal.task;

/**
 * Something a task owns that must end when the task does, however it ends: a task group opened
 * while the task was running. The owning task holds its scopes and ends them on the thread that
 * completes it.
 */
public interface TaskScope {

    /** Whether the scope has ended already, so the owner may forget it. */
    boolean isClosed();

    /** Ends the scope because its owning task ended; must not throw. */
    void ownerEnded();
}
