package dev.kyoto.runtime.sync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The message buffer of an {@link Mpsc} channel: an unbounded multi-producer single-consumer
 * linked queue (Dmitry Vyukov's). A push is one {@code getAndSet} and one store, wait-free; a poll
 * is one load and touches no shared counter. Bounding is the channel's job, done with permits.
 *
 * <p>Fields:
 * <ul>
 *   <li>{@code tail}: the newest node; every producer swaps itself in with {@code getAndSet} and
 *       then links its predecessor to itself.</li>
 *   <li>{@code head}: the consumer's; the node whose successor is the next message (a stub once
 *       its own value was taken). Read and written only by the one consumer.</li>
 *   <li>{@code Node.next}: volatile; written once by the producer that swapped in the successor.</li>
 * </ul>
 * Between a producer's swap and its link the queue looks empty from that message on to
 * {@link #poll()}, even to a consumer that a later producer's completed push happens-before.
 * The channel copes: the producer wakes the receiver after linking, and the message holds a
 * permit until received, so the channel does not look drained meanwhile; and a receive that must
 * not miss a completed send uses {@link #pollAwaitingLink()}, which waits out the gap.
 *
 * @param <T> the message type; messages are never null
 */
final class MpscQueue<T> {
    private static final VarHandle TAIL;
    private static final VarHandle NEXT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            TAIL = l.findVarHandle(MpscQueue.class, "tail", Node.class);
            NEXT = l.findVarHandle(Node.class, "next", Node.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final class Node<T> {
        T value;
        volatile Node<T> next;

        Node(T value) {
            this.value = value;
        }
    }

    private Node<T> head;
    private volatile Node<T> tail;

    MpscQueue() {
        Node<T> stub = new Node<>(null);
        head = stub;
        tail = stub;
    }

    /** Appends a message; any thread. */
    @SuppressWarnings("unchecked")
    void push(T value) {
        Node<T> node = new Node<>(value);
        Node<T> previous = (Node<T>) TAIL.getAndSet(this, node);
        previous.next = node;
    }

    /** Takes the oldest linked message, or returns null; the consumer only. */
    T poll() {
        Node<T> h = head;
        Node<T> n = h.next;
        if (n == null) {
            return null;
        }
        T value = n.value;
        n.value = null;
        head = n;
        // The old head is garbage; linking it to itself keeps a dead node promoted to the old
        // generation from holding young nodes alive (as LinkedBlockingQueue does). Its producer
        // linked it already, so nobody writes it again.
        NEXT.set(h, h);
        return value;
    }

    /**
     * Takes the oldest message, or returns null if no producer has pushed past the consumer: a
     * message whose producer has swapped itself in but not linked yet counts as there, and this
     * waits for the link, the producer's very next store. The consumer only.
     */
    T pollAwaitingLink() {
        T value = poll();
        if (value != null) {
            return value;
        }
        Node<T> h = head;
        if (tail == h) {
            return null;
        }
        // The first producer that swapped in after h links h next; only its preemption makes this long.
        for (int spins = 1; h.next == null; spins++) {
            if ((spins & 63) == 0) {
                Thread.yield();
            } else {
                Thread.onSpinWait();
            }
        }
        return poll();
    }
}
