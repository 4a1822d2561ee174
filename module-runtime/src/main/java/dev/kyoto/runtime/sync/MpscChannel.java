package dev.kyoto.runtime.sync;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.Waker;
import dev.kyoto.runtime.spi.Coop;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The state an {@link Mpsc} channel's senders and receiver share, and the protocol between them.
 *
 * <p>Capacity is a {@link Semaphore} of {@code bound} permits (an unbounded channel has
 * {@link Semaphore#MAX_PERMITS}). A sender takes a permit before it pushes a message; the receiver
 * gives it back after taking the message. So {@code capacity.availablePermits() == bound} means no
 * message is buffered and no permit is reserved: the channel is <em>idle</em>. Closing the
 * semaphore is closing the channel: the receiver closes it, or the last sender does. The channel
 * reports its end (recv yields null) only when it is closed <em>and</em> idle, so a message pushed
 * by a reservation made before the close is still received.
 *
 * <p>Fields:
 * <ul>
 *   <li>{@code senders}: open {@link Mpsc.Sender} handles; CAS. The one that takes it to 0 closes
 *       the channel; it never rises from 0.</li>
 *   <li>{@code receiverClosed}: volatile; set once by the receiver's close, to word errors.</li>
 *   <li>{@code rxWaker}: volatile; the receiving task's waker, written by the receiver before it
 *       re-checks the queue, taken (CAS to null) by a sender after it pushed. Both accesses are
 *       volatile, so either the receiver's re-check sees the message or the sender sees the
 *       waker. Anything that may make a closed channel idle (the last sender's close, a permit
 *       given back) and the receiver's own close also take and wake it.</li>
 * </ul>
 *
 * @param <T> the message type
 */
final class MpscChannel<T> {
    private static final VarHandle SENDERS;
    private static final VarHandle RX_WAKER;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            SENDERS = l.findVarHandle(MpscChannel.class, "senders", int.class);
            RX_WAKER = l.findVarHandle(MpscChannel.class, "rxWaker", Waker.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final Poll<Void> SENT = Poll.ready(null);
    private static final Poll<Object> END = Poll.ready(null);

    final Semaphore capacity;
    private final int bound;
    private final MpscQueue<T> queue = new MpscQueue<>();
    private volatile int senders = 1;
    private volatile boolean receiverClosed;
    private volatile Waker rxWaker;

    MpscChannel(int bound) {
        this.bound = bound;
        this.capacity = new Semaphore(bound);
    }

    /** Pushes a message whose permit the caller holds, and wakes the receiver. */
    void push(T message) {
        queue.push(message);
        wakeReceiver();
    }

    /** Sends now if a permit is free; false if the channel is full. */
    boolean trySend(T message) throws ChannelClosedException {
        return switch (capacity.tryTake(1)) {
            case ACQUIRED -> {
                push(message);
                yield true;
            }
            case PENDING -> false;
            case CLOSED -> throw closedError();
        };
    }

    /** A new sender handle's share; fails if every handle was closed meanwhile. */
    void addSender() {
        int n = senders;
        for (;;) {
            if (n == 0) {
                throw new IllegalStateException("this Mpsc.Sender was closed; copy a sender before closing it");
            }
            int witness = (int) SENDERS.compareAndExchange(this, n, n + 1);
            if (witness == n) {
                return;
            }
            n = witness;
        }
    }

    /** A closed sender handle's share; the last one closes the channel and tells the receiver. */
    void dropSender() {
        if ((int) SENDERS.getAndAdd(this, -1) == 1) {
            capacity.close();
            wakeReceiver();
        }
    }

    /** After a permit went back unused: on a closed channel that may have made it idle. */
    void capacityReturned() {
        if (capacity.isClosed()) {
            wakeReceiver();
        }
    }

    ChannelClosedException closedError() {
        return new ChannelClosedException(receiverClosed
                ? "the Mpsc.Receiver was closed, so nothing sent on this channel would be received; stop sending"
                : "every Mpsc.Sender of this channel was closed while this send was starting; send through an open sender");
    }

    private void wakeReceiver() {
        Waker w = rxWaker;
        if (w != null && RX_WAKER.compareAndSet(this, w, null)) {
            w.wake();
        }
    }

    @SuppressWarnings("unchecked")
    Poll<T> pollRecv(Context cx) {
        if (!Coop.proceed(cx)) {
            return Poll.pending();
        }
        T message = queue.poll();
        if (message == null) {
            if (isClosedAndIdle()) {
                return (Poll<T>) END;
            }
            Waker w = cx.waker();
            if (rxWaker != w) {
                rxWaker = w;
            }
            message = queue.poll();
            if (message == null) {
                if (isClosedAndIdle()) {
                    return (Poll<T>) END;
                }
                Coop.refund();
                return Poll.pending();
            }
        }
        capacity.release(1);
        return Poll.ready(message);
    }

    /**
     * A send that completed before this call is always found, even while an earlier send is still
     * linking its message (Tokio's try_recv waits for such a send the same way).
     */
    T tryRecv() throws ChannelClosedException {
        T message = queue.pollAwaitingLink();
        if (message != null) {
            capacity.release(1);
            return message;
        }
        if (isClosedAndIdle()) {
            throw new ChannelClosedException(receiverClosed
                    ? "this Mpsc.Receiver was closed and every message sent before was received"
                    : "every Mpsc.Sender was closed and every message they sent was received");
        }
        return null;
    }

    /** Drops the receiving task's waker, when that task abandons its recv. */
    void clearReceiverWaker() {
        rxWaker = null;
    }

    /**
     * The receiver's close. It may come from another thread than the task waiting in recv, so that
     * task is woken to see the end (or drain what is left) rather than left waiting.
     */
    void closeReceiver() {
        receiverClosed = true;
        capacity.close();
        wakeReceiver();
    }

    /** Closed, with no message buffered and no permit reserved: nothing more can arrive. */
    private boolean isClosedAndIdle() {
        // Closing is for good, so closed-then-idle read in this order holds at the second read.
        return capacity.isClosed() && capacity.availablePermits() == bound;
    }

    /** The computation behind {@link Mpsc.Sender#send}; it is its own waiter node. */
    static final class Send<T> extends SemaphoreWaiter implements Async<Void> {
        private final MpscChannel<T> channel;
        private T message;

        Send(MpscChannel<T> channel, T message) {
            super(channel.capacity, 1);
            this.channel = channel;
            this.message = message;
        }

        @Override
        public Poll<Void> poll(Context cx) throws ChannelClosedException {
            return switch (pollAcquire(cx)) {
                case ACQUIRED -> {
                    T m = message;
                    message = null;
                    channel.push(m);
                    yield SENT;
                }
                case PENDING -> Poll.pending();
                case CLOSED -> {
                    message = null;
                    throw channel.closedError();
                }
            };
        }

        @Override
        public void cancel() {
            cancelAcquire();
            message = null;
            channel.capacityReturned();
        }
    }

    /** The computation behind {@link Mpsc.Sender#reserve}; it is its own waiter node. */
    static final class Reserve<T> extends SemaphoreWaiter implements Async<Mpsc.Permit<T>> {
        private final MpscChannel<T> channel;

        Reserve(MpscChannel<T> channel) {
            super(channel.capacity, 1);
            this.channel = channel;
        }

        @Override
        public Poll<Mpsc.Permit<T>> poll(Context cx) throws ChannelClosedException {
            return switch (pollAcquire(cx)) {
                case ACQUIRED -> Poll.ready(new Mpsc.Permit<>(channel));
                case PENDING -> Poll.pending();
                case CLOSED -> throw channel.closedError();
            };
        }

        @Override
        public void cancel() {
            cancelAcquire();
            channel.capacityReturned();
        }
    }

    /** The receiver's one recv computation: it holds no state between polls, so it is reused. */
    static final class Recv<T> implements Async<T> {
        private final MpscChannel<T> channel;

        Recv(MpscChannel<T> channel) {
            this.channel = channel;
        }

        @Override
        public Poll<T> poll(Context cx) {
            return channel.pollRecv(cx);
        }

        @Override
        public void cancel() {
            channel.clearReceiverWaker();
        }
    }
}
