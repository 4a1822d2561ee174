package dev.kyoto.io.internal.reactor;

import dev.kyoto.runtime.Waker;

/**
 * One task's wait for readiness on the multi-waiter path: the node a readiness computation keeps
 * for as long as it lives, linked into {@link ReadinessWaiters} while it waits. Any number of
 * nodes may wait on one resource, unlike the single reader and writer slots of {@link ScheduledIo}.
 *
 * <p>Every field is read and written only under the lock of the {@link ReadinessWaiters} it
 * waits in. {@code queued} is true exactly while the node is linked; the reactor unlinks it and
 * takes its waker in the same critical section, so a node that is no longer queued was woken
 * (or never waited). {@code waiting} is the owning task's own record that it queued the node
 * and has not yet seen it leave; only that task reads or writes it.
 */
public final class ReadinessWaiter {
    /** The readiness bits that satisfy this wait. */
    int mask;
    Waker waker;
    ReadinessWaiter prev;
    ReadinessWaiter next;
    boolean queued;
    boolean waiting;

    /** A node for waits on any of {@code mask}'s readiness bits. */
    ReadinessWaiter(int mask) {
        this.mask = mask;
    }
}
