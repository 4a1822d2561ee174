package dev.kyoto.io.internal.reactor;

import dev.kyoto.runtime.Waker;

/**
 * The tasks waiting for readiness of one resource on the multi-waiter path ({@code readable()},
 * {@code ready(interest)}, concurrent accepts and datagram receives): an intrusive FIFO list of
 * {@link ReadinessWaiter}s under this object's monitor.
 *
 * <p>{@code head}/{@code tail} and every node's fields are guarded by the monitor. {@code nonEmpty}
 * mirrors {@code head != null}; it is written under the monitor and read without it by the
 * reactor, which publishes readiness into the {@link ScheduledIo} word first and reads
 * {@code nonEmpty} second. A waiter links itself, sets {@code nonEmpty} and only then re-reads
 * the word: with all four accesses volatile, either the reactor sees the waiter or the waiter sees
 * the readiness, so no wake is lost. Wakers are invoked outside the monitor, in batches of
 * {@value #BATCH}, so a wake never runs a task's code while holding it.
 */
final class ReadinessWaiters {
    private static final int BATCH = 32;

    private ReadinessWaiter head;
    private ReadinessWaiter tail;
    private volatile boolean nonEmpty;

    /**
     * Links {@code node} (if it is not linked yet) with {@code waker}, then returns the resource's
     * word as read after linking, for the caller's re-check.
     */
    synchronized int enqueue(ReadinessWaiter node, Waker waker, ScheduledIo io) {
        node.waker = waker;
        if (!node.queued) {
            node.queued = true;
            node.prev = tail;
            node.next = null;
            if (tail == null) {
                head = node;
            } else {
                tail.next = node;
            }
            tail = node;
            nonEmpty = true;
        }
        return io.word();
    }

    /** Whether {@code node} is still waiting; if it is, its waker becomes {@code waker}. */
    synchronized boolean stillQueued(ReadinessWaiter node, Waker waker) {
        if (node.queued) {
            node.waker = waker;
            return true;
        }
        return false;
    }

    /** Unlinks {@code node} if it is linked, dropping its waker. */
    synchronized void remove(ReadinessWaiter node) {
        if (node.queued) {
            unlink(node);
        }
        node.waker = null;
    }

    /** Wakes and unlinks every waiter whose mask meets {@code bits}. */
    void wake(int bits) {
        if (!nonEmpty) {
            return;
        }
        Waker[] batch = null;
        for (;;) {
            int n = 0;
            boolean more = false;
            synchronized (this) {
                ReadinessWaiter node = head;
                while (node != null) {
                    ReadinessWaiter next = node.next;
                    if ((node.mask & bits) != 0) {
                        if (n == BATCH) {
                            more = true;
                            break;
                        }
                        if (batch == null) {
                            batch = new Waker[BATCH];
                        }
                        batch[n++] = node.waker;
                        node.waker = null;
                        unlink(node);
                    }
                    node = next;
                }
            }
            for (int i = 0; i < n; i++) {
                Waker w = batch[i];
                batch[i] = null;
                if (w != null) {
                    w.wake();
                }
            }
            if (!more) {
                return;
            }
        }
    }

    private void unlink(ReadinessWaiter node) {
        if (node.prev == null) {
            head = node.next;
        } else {
            node.prev.next = node.next;
        }
        if (node.next == null) {
            tail = node.prev;
        } else {
            node.next.prev = node.prev;
        }
        node.prev = null;
        node.next = null;
        node.queued = false;
        nonEmpty = head != null;
    }
}
