package dev.kyoto.net;

import dev.kyoto.runtime.Waker;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * The one datagram a {@link UdpSocket} has received ahead of time for a peek, and that the next
 * receive returns first.
 *
 * <p>Why it exists: the JDK's {@code DatagramChannel} has no {@code MSG_PEEK}, so a peek must take
 * the datagram off the socket and keep it here. It is kept whole (up to {@value #CAPACITY} bytes,
 * more than any UDP payload), so a peek into a small buffer does not truncate what a later receive
 * into a large one gets, as with a real peek.
 *
 * <p>Why it wakes tasks: a receiver that found the socket empty clears the socket's readiness and
 * waits for the reactor. If a peek on another task takes a datagram off the socket in between,
 * the reactor may never report it (the socket is empty again), and the receiver would wait with
 * a datagram in the slot. So receivers that go pending register here, and filling the slot wakes
 * them. One field serves the single-slot poll path ({@link #setPollReader}), a list of
 * {@link Waiter}s the multi-waiter path. Wakers are invoked outside the lock.
 *
 * <p>All state is guarded by this object's monitor; {@code full} is also volatile so that the
 * common empty case is checked without locking.
 */
final class PeekSlot {
    /** Larger than any UDP payload (65,507 bytes over IPv4, 65,527 over IPv6). */
    static final int CAPACITY = 65_536;

    /** A task waiting for a datagram; one per receive computation, reused across its polls. */
    static final class Waiter {
        private Waker waker;
        private Waiter prev;
        private Waiter next;
        private boolean queued;
        /** Written only by the owning computation: whether it ever queued, so a plain completion skips the lock. */
        private boolean everQueued;
    }

    private volatile boolean full;
    private ByteBuffer data;
    private InetSocketAddress sender;
    private Waiter head;
    private Waker pollReader;

    /** Whether a datagram is held; a hint, for the lock-free fast path. */
    boolean isFull() {
        return full;
    }

    /**
     * Moves the held datagram into {@code dst}, truncated to its room as the JDK truncates, and
     * empties the slot.
     *
     * @return the datagram's sender, or null if the slot is empty
     */
    synchronized InetSocketAddress take(ByteBuffer dst) {
        if (!full) {
            return null;
        }
        copyInto(dst);
        full = false;
        InetSocketAddress from = sender;
        sender = null;
        return from;
    }

    /**
     * Copies the held datagram into {@code dst} (null: copies nothing), receiving one from
     * {@code channel} first if the slot is empty. The datagram stays held.
     *
     * @return the datagram's sender, or null if the slot was empty and the socket had nothing
     */
    InetSocketAddress peek(DatagramChannel channel, ByteBuffer dst) throws IOException {
        Waker single;
        List<Waker> woken;
        InetSocketAddress from;
        synchronized (this) {
            if (full) {
                copyInto(dst);
                return sender;
            }
            if (data == null) {
                data = ByteBuffer.allocateDirect(CAPACITY);
            }
            data.clear();
            from = (InetSocketAddress) channel.receive(data);
            if (from == null) {
                return null;
            }
            data.flip();
            sender = from;
            full = true;
            copyInto(dst);
            single = pollReader;
            pollReader = null;
            woken = detachAll();
        }
        wake(single, woken);
        return from;
    }

    private void copyInto(ByteBuffer dst) {
        if (dst == null) {
            return;
        }
        ByteBuffer held = data.duplicate();
        if (held.remaining() > dst.remaining()) {
            held.limit(held.position() + dst.remaining());
        }
        dst.put(held);
    }

    /** Drops the held datagram: the socket connected (the JDK discards queued datagrams then) or closed. */
    synchronized void clear() {
        full = false;
        sender = null;
    }

    /** Stores the single-slot path's waker, to be woken when the slot fills. */
    synchronized void setPollReader(Waker waker) {
        pollReader = waker;
    }

    /** Queues {@code w} with {@code waker}, or updates its waker if still queued. */
    synchronized void register(Waiter w, Waker waker) {
        w.waker = waker;
        w.everQueued = true;
        if (w.queued) {
            return;
        }
        w.queued = true;
        w.prev = null;
        w.next = head;
        if (head != null) {
            head.prev = w;
        }
        head = w;
    }

    /** Unqueues {@code w} if it is queued; cheap when it never was. */
    void unregister(Waiter w) {
        if (!w.everQueued) {
            return;
        }
        synchronized (this) {
            if (!w.queued) {
                w.waker = null;
                return;
            }
            w.queued = false;
            w.waker = null;
            if (w.prev != null) {
                w.prev.next = w.next;
            } else {
                head = w.next;
            }
            if (w.next != null) {
                w.next.prev = w.prev;
            }
            w.prev = null;
            w.next = null;
        }
    }

    /** How many waiters are queued; for tests. */
    synchronized int waiterCount() {
        int n = 0;
        for (Waiter w = head; w != null; w = w.next) {
            n++;
        }
        return n;
    }

    /** Unlinks every waiter and returns their wakers, to be woken once the lock is released. */
    private List<Waker> detachAll() {
        if (head == null) {
            return List.of();
        }
        List<Waker> wakers = new ArrayList<>();
        Waiter w = head;
        head = null;
        while (w != null) {
            Waiter next = w.next;
            wakers.add(w.waker);
            w.queued = false;
            w.prev = null;
            w.next = null;
            w = next;
        }
        return wakers;
    }

    private static void wake(Waker single, List<Waker> wakers) {
        if (single != null) {
            single.wake();
        }
        for (Waker w : wakers) {
            w.wake();
        }
    }
}
