package dev.kyoto.runtime.sync;

import dev.kyoto.runtime.Async;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.Optional;

/**
 * Multi-producer, single-consumer channels: many tasks send messages, one task receives them in the
 * order they were sent (per sender, and overall in the order the sends completed).
 *
 * <pre>{@code
 * Mpsc.Channel<Request> ch = Mpsc.bounded(1024);
 * Mpsc.Sender<Request> tx = ch.sender();
 * handle.spawn(tx.send(request));                 // waits while the channel is full
 * Request next = runtime.blockOn(ch.receiver().recv());   // null once closed and drained
 * }</pre>
 *
 * <p><b>Bounded</b> channels ({@link #bounded}) give backpressure: a send waits while
 * {@code capacity} messages are buffered or reserved, and waiting senders are served in the order
 * they started waiting. A {@linkplain Sender#reserve() reservation} takes one slot ahead of time,
 * so the message can then be sent without waiting or failing. <b>Unbounded</b> channels
 * ({@link #unbounded}) never make a sender wait (up to {@link Semaphore#MAX_PERMITS} buffered
 * messages).
 *
 * <p><b>Closing.</b> Every {@link Sender} handle is counted; {@link Sender#copy()} makes another.
 * Once every handle is closed, the receiver gets the remaining messages and then null. Closing
 * the {@link Receiver} makes pending and later sends fail with {@link ChannelClosedException};
 * messages already sent can still be received. Java has no destructor, so close handles you are
 * done with: a forgotten sender keeps the receiver waiting, a forgotten receiver lets bounded
 * senders wait for ever.
 *
 * <p><b>Cancellation.</b> A cancelled send was never sent: its message is not buffered, and a slot
 * it had been handed goes to the next waiting sender. A cancelled recv loses nothing: a message is
 * only taken by the poll that returns it.
 *
 * <p>Messages are never null: null is how {@link Receiver#recv()} reports the end.
 */
public final class Mpsc {
    private Mpsc() {
    }

    /**
     * Creates a channel that buffers at most {@code capacity} messages.
     *
     * @param capacity at least 1
     * @param <T> the message type
     * @return its two ends; the sender is the first of its handles
     * @throws IllegalArgumentException if {@code capacity} is less than 1
     */
    public static <T> Channel<T> bounded(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("an Mpsc channel's capacity must be 1 or more, got " + capacity
                    + "; use Oneshot or Notify to hand over without buffering");
        }
        return open(new MpscChannel<>(capacity));
    }

    /**
     * Creates a channel whose senders never wait.
     *
     * @param <T> the message type
     * @return its two ends; the sender is the first of its handles
     */
    public static <T> Channel<T> unbounded() {
        return open(new MpscChannel<>(Semaphore.MAX_PERMITS));
    }

    private static <T> Channel<T> open(MpscChannel<T> channel) {
        return new Channel<>(new Sender<>(channel), new Receiver<>(channel));
    }

    /**
     * The two ends of a new channel.
     *
     * @param sender the first sender handle; {@link Sender#copy()} it for each further producer
     * @param receiver the one receiver
     * @param <T> the message type
     */
    public record Channel<T>(Sender<T> sender, Receiver<T> receiver) {
        /** Checks both ends are present. */
        public Channel {
            Objects.requireNonNull(sender, "sender");
            Objects.requireNonNull(receiver, "receiver");
        }
    }

    /**
     * A sending handle. Its methods may be called from any thread; each handle is counted, and
     * the channel ends once all are closed.
     *
     * @param <T> the message type
     */
    public static final class Sender<T> implements AutoCloseable {
        private static final VarHandle CLOSED;

        static {
            try {
                CLOSED = MethodHandles.lookup().findVarHandle(Sender.class, "closed", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final MpscChannel<T> channel;
        /** Set once, by the close that gives up this handle's share. */
        private volatile boolean closed;

        private Sender(MpscChannel<T> channel) {
            this.channel = channel;
        }

        /**
         * A computation that waits for a free slot and then buffers {@code message}. Nothing is
         * sent until it is polled; every poll spends one unit of the task's cooperative budget.
         *
         * @param message the message, not null
         * @return the computation; it completes once the message is buffered, or fails with
         *         {@link ChannelClosedException} if the receiver was closed first
         * @throws IllegalStateException if this handle was closed
         */
        public Async<Void> send(T message) {
            Objects.requireNonNull(message, "message");
            requireOpen();
            return new MpscChannel.Send<>(channel, message);
        }

        /**
         * Buffers {@code message} now if a slot is free and no sender is waiting for one.
         *
         * @param message the message, not null
         * @return true if sent, false if the channel is full
         * @throws ChannelClosedException if the receiver was closed
         * @throws IllegalStateException if this handle was closed
         */
        public boolean trySend(T message) throws ChannelClosedException {
            Objects.requireNonNull(message, "message");
            requireOpen();
            return channel.trySend(message);
        }

        /**
         * A computation that waits for a free slot and yields it as a {@link Permit}: the message
         * can then be sent without waiting, or the slot given back. Nothing is reserved until it
         * is polled; every poll spends one unit of the task's cooperative budget.
         *
         * @return the computation; it yields the permit, or fails with
         *         {@link ChannelClosedException} if the receiver was closed first
         * @throws IllegalStateException if this handle was closed
         */
        public Async<Permit<T>> reserve() {
            requireOpen();
            return new MpscChannel.Reserve<>(channel);
        }

        /**
         * Another handle to the same channel, counted separately: the channel ends only when both
         * are closed.
         *
         * @return the new handle; close it when done
         * @throws IllegalStateException if this handle was closed
         */
        public Sender<T> copy() {
            requireOpen();
            channel.addSender();
            return new Sender<>(channel);
        }

        /** Whether the channel refuses new messages: its receiver was closed, or every sender was. */
        public boolean isClosed() {
            return channel.capacity.isClosed();
        }

        /**
         * Gives up this handle. Sends it already started carry on; when it was the last open
         * handle, the receiver gets the messages still buffered or reserved and then the end.
         * Idempotent.
         */
        @Override
        public void close() {
            if (CLOSED.compareAndSet(this, false, true)) {
                channel.dropSender();
            }
        }

        private void requireOpen() {
            if (closed) {
                throw new IllegalStateException("this Mpsc.Sender was closed; send through another copy of it");
            }
        }

        /** How many sends or reservations are queued for a slot; for tests. */
        int waitingSenders() {
            return channel.capacity.waiterCount();
        }
    }

    /**
     * A slot reserved in a channel: {@link #send} uses it, {@link #close()} gives it back unused.
     * Exactly one of them takes effect.
     *
     * @param <T> the message type
     */
    public static final class Permit<T> implements AutoCloseable {
        private static final VarHandle USED;

        static {
            try {
                USED = MethodHandles.lookup().findVarHandle(Permit.class, "used", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final MpscChannel<T> channel;
        /** Set by the one send or close that consumes the slot. */
        private volatile boolean used;

        Permit(MpscChannel<T> channel) {
            this.channel = channel;
        }

        /**
         * Buffers {@code message} in the reserved slot, without waiting. The message is delivered
         * even if the receiver closed after the reservation, as long as it keeps receiving.
         *
         * @param message the message, not null
         * @throws IllegalStateException if the permit was already used or closed
         */
        public void send(T message) {
            Objects.requireNonNull(message, "message");
            if (!USED.compareAndSet(this, false, true)) {
                throw new IllegalStateException("this Mpsc.Permit was already used or closed; reserve() again for another slot");
            }
            channel.push(message);
        }

        /** Gives the slot back unused. Does nothing after {@link #send}. Idempotent. */
        @Override
        public void close() {
            if (USED.compareAndSet(this, false, true)) {
                channel.capacity.release(1);
                channel.capacityReturned();
            }
        }
    }

    /**
     * The receiving end. One task receives at a time.
     *
     * @param <T> the message type
     */
    public static final class Receiver<T> implements AutoCloseable {
        private final MpscChannel<T> channel;
        private final MpscChannel.Recv<T> recv;

        private Receiver(MpscChannel<T> channel) {
            this.channel = channel;
            this.recv = new MpscChannel.Recv<>(channel);
        }

        /**
         * A computation that yields the next message, or null once the channel is closed (every
         * sender closed, or this receiver) and every message sent before was received. Each poll
         * spends one unit of the task's cooperative budget, so a task draining a busy channel
         * still yields. The same object is returned every time: receiving allocates nothing.
         *
         * @return the receiving computation
         */
        public Async<T> recv() {
            return recv;
        }

        /**
         * Takes the next message now. A message whose send completed before this call is always
         * found; if another send is still linking its message into the buffer at that moment, this
         * waits the few instructions it takes.
         *
         * @return the message, or empty if none is buffered yet (as {@link Mutex#tryLock()} and
         *         {@link Semaphore#tryAcquire()} say "not now")
         * @throws ChannelClosedException if the channel is closed and every message was received
         */
        public Optional<T> tryRecv() throws ChannelClosedException {
            return Optional.ofNullable(channel.tryRecv());
        }

        /**
         * Stops the channel: pending and later sends fail with {@link ChannelClosedException}.
         * Messages already sent, and those sent through permits reserved earlier, can still be
         * received; then {@link #recv()} yields null. A task waiting in {@code recv()} is woken,
         * so closing from another thread does not strand it. Idempotent.
         */
        @Override
        public void close() {
            channel.closeReceiver();
        }
    }
}
