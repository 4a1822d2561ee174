package dev.kyoto.runtime.sync;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.spi.Coop;
import java.io.Serial;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Multi-producer, multi-consumer broadcast channels (Tokio's {@code broadcast}): every receiver
 * sees every value sent after it subscribed, in the order the sends took the channel's lock. The
 * channel holds the last {@code capacity} values in a ring; a sender never waits, and a receiver
 * that falls more than {@code capacity} values behind is told how many it missed
 * ({@link LaggedException}) and continues from the oldest value still held.
 *
 * <pre>{@code
 * Broadcast.Channel<Message> ch = Broadcast.channel(1024);
 * Broadcast.Receiver<Message> rx = ch.sender().subscribe();   // one per subscriber
 * int seenBy = ch.sender().send(message);                     // never waits
 * Message next = runtime.blockOn(rx.recv());
 * }</pre>
 *
 * <p><b>Memory.</b> A value is released (no longer referenced by the ring) as soon as every
 * receiver that existed when it was sent has received it or was closed, or when a newer value
 * overwrites its slot; a value sent while no receiver exists is dropped at once. So a forgotten
 * receiver holds back at most {@code capacity} values, and closing it releases them.
 *
 * <p><b>Closing.</b> Every {@link Sender} handle is counted ({@link Sender#copy()} makes another).
 * Once every handle is closed, receivers get the values still held for them and then
 * {@link ChannelClosedException}. Closing a {@link Receiver} releases what it held back and fails
 * its pending {@link Receiver#recv()}. Java has no destructor: close handles you are done with.
 *
 * <p><b>Cancellation.</b> A cancelled {@code recv()} loses nothing: a value is only taken by the
 * poll that returns it, and the next {@code recv()} of the receiver gets it.
 *
 * <p>Values are shared by reference between every receiver: send immutable ones. They are never
 * null ({@link Receiver#tryRecv()} returns an {@link Optional}).
 */
public final class Broadcast {
    private Broadcast() {
    }

    /**
     * Creates a channel that holds the last {@code capacity} values for its slowest receivers.
     *
     * @param capacity at least 1: how far a receiver may fall behind before it misses values
     * @param <T> the value type
     * @return the first sender handle and a first receiver
     * @throws IllegalArgumentException if {@code capacity} is less than 1
     */
    public static <T> Channel<T> channel(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a Broadcast channel's capacity must be 1 or more, got " + capacity
                    + "; it is how many values a slow receiver may fall behind before it misses some");
        }
        Shared<T> shared = new Shared<>(capacity);
        return new Channel<>(new Sender<>(shared), shared.subscribe());
    }

    /**
     * The two ends of a new broadcast channel.
     *
     * @param sender the first sender handle; {@link Sender#copy()} it for each further producer
     * @param receiver a first receiver; {@link Sender#subscribe()} makes more
     * @param <T> the value type
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
     * the channel ends for receivers once all are closed.
     *
     * @param <T> the value type
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

        private final Shared<T> shared;
        /** Set once, by the close that gives up this handle's share. */
        private volatile boolean closed;

        private Sender(Shared<T> shared) {
            this.shared = shared;
        }

        /**
         * Sends {@code value} to every receiver open now and wakes those waiting. Never waits: if
         * the ring is full, the oldest value is overwritten and receivers that had not received
         * it will report a lag.
         *
         * @param value the value, not null
         * @return how many receivers will see it; 0 if there are none, and then the value is
         *         dropped
         * @throws ChannelClosedException if this sender handle was closed
         */
        public int send(T value) throws ChannelClosedException {
            Objects.requireNonNull(value, "value");
            if (closed) {
                throw new ChannelClosedException("this Broadcast.Sender was closed; send through another copy of it");
            }
            return shared.send(value);
        }

        /**
         * A new receiver that sees the values sent from now on. On a channel whose senders are
         * all closed it reports the end at once.
         *
         * @return the receiver; close it when done, or it holds back up to {@code capacity} values
         */
        public Receiver<T> subscribe() {
            return shared.subscribe();
        }

        /** How many receivers are open now: how many would see a value sent now. */
        public int receiverCount() {
            return shared.receivers;
        }

        /**
         * Another handle to the same channel, counted separately: receivers see the end only when
         * both are closed.
         *
         * @return the new handle; close it when done
         * @throws IllegalStateException if this handle was closed
         */
        public Sender<T> copy() {
            if (closed) {
                throw new IllegalStateException("this Broadcast.Sender was closed; copy another open handle instead");
            }
            shared.addSender();
            return new Sender<>(shared);
        }

        /**
         * Gives up this handle. When it was the last open one, every waiting receiver is woken:
         * receivers get the values still held for them, then {@link ChannelClosedException}.
         * Idempotent.
         */
        @Override
        public void close() {
            if (CLOSED.compareAndSet(this, false, true)) {
                shared.dropSender();
            }
        }
    }

    /**
     * A receiving end, with its own position in the channel. One task receives from it at a
     * time; {@link #resubscribe()} or {@link Sender#subscribe()} makes a receiver for another
     * task.
     *
     * @param <T> the value type
     */
    public static final class Receiver<T> implements AutoCloseable {
        private final Shared<T> shared;
        /** The position of the next value to receive; guarded by the channel's lock. */
        private long next;
        /** Set once, under the channel's lock, by {@link #close()}. */
        private boolean closed;
        /** The waiter its pending recv() linked last, for close to wake; guarded by the lock. */
        private Waiter waiter;

        private Receiver(Shared<T> shared, long next) {
            this.shared = shared;
            this.next = next;
        }

        /**
         * A computation that yields the next value. Nothing is taken until a poll returns it, so
         * cancelling it loses nothing. Every poll spends one unit of the task's cooperative
         * budget.
         *
         * @return the computation; it fails with {@link LaggedException} (once) if this receiver
         *         fell so far behind that values it should have seen were overwritten, after
         *         which the next {@code recv()} continues from the oldest value held; and with
         *         {@link ChannelClosedException} once every sender is closed and every value
         *         held for this receiver was received, or if this receiver is closed
         */
        public Async<T> recv() {
            return new Recv<>(this);
        }

        /**
         * Takes the next value now, if one is there.
         *
         * @return the value, or empty if nothing was sent since this receiver's last one
         * @throws LaggedException if values this receiver should have seen were overwritten;
         *         the next call continues from the oldest value held
         * @throws ChannelClosedException if every sender is closed and every value held for this
         *         receiver was received, or if this receiver is closed
         */
        public Optional<T> tryRecv() throws ChannelClosedException, LaggedException {
            shared.lock.lock();
            try {
                return Optional.ofNullable(shared.takeLocked(this));
            } finally {
                shared.lock.unlock();
            }
        }

        /**
         * A new receiver that sees the values sent from now on, whatever this one has yet to
         * receive.
         *
         * @return the receiver; close it when done
         */
        public Receiver<T> resubscribe() {
            return shared.subscribe();
        }

        /**
         * Stops receiving: the values this receiver had yet to receive are no longer held for
         * it, and a pending {@link #recv()} fails with {@link ChannelClosedException}. Idempotent.
         */
        @Override
        public void close() {
            shared.closeReceiver(this);
        }

        /** How many recv() computations of the channel are queued; for tests. */
        int waiterCount() {
            shared.lock.lock();
            try {
                return shared.waiters.size();
            } finally {
                shared.lock.unlock();
            }
        }

        /** How many of the ring's slots still reference a value; for tests. */
        int heldValues() {
            shared.lock.lock();
            try {
                int n = 0;
                for (Object v : shared.values) {
                    if (v != null) {
                        n++;
                    }
                }
                return n;
            } finally {
                shared.lock.unlock();
            }
        }
    }

    /**
     * What a {@link Receiver} is told when it fell more than the channel's capacity behind: how
     * many values it missed. It then continues from the oldest value still held.
     */
    public static final class LaggedException extends Exception {
        @Serial
        private static final long serialVersionUID = 1L;

        private final long missed;

        LaggedException(long missed, int capacity) {
            super("this Broadcast.Receiver fell more than the channel's capacity (" + capacity + ") behind and missed "
                    + missed + " values; it continues from the oldest value still held. Receive faster, or make the "
                    + "channel bigger");
            this.missed = missed;
        }

        /** How many values the receiver missed. */
        public long missed() {
            return missed;
        }
    }

    /**
     * The channel's state, all guarded by {@code lock} (sends, receives and closes are short and
     * never run a waker under it).
     *
     * <ul>
     *   <li>{@code values}, {@code remaining}: the ring. The value sent at position {@code p} is
     *       in slot {@code p % capacity} while {@code tail - capacity <= p < tail};
     *       {@code remaining} counts the receivers that existed when it was sent and have not yet
     *       received it nor closed. The one that takes it to 0 nulls the slot, so the ring never
     *       keeps a value nobody will read.</li>
     *   <li>{@code tail}: the position of the next value to send.</li>
     *   <li>{@code receivers}: open receivers; volatile so {@code receiverCount} reads it
     *       without the lock.</li>
     *   <li>{@code senders}: open sender handles; {@code closed} is set when it reaches 0, and it
     *       never rises from there.</li>
     *   <li>{@code waiters}: pending recv() computations.</li>
     * </ul>
     * Invariant: an open receiver has {@code next <= tail}, and every held position from
     * {@code max(next, tail - capacity)} up to {@code tail} counts it in {@code remaining}. A
     * waiter is linked only after its receiver found nothing to take under the lock, and every
     * send and the last sender's close unlink all waiters under the lock, so no send is missed.
     *
     * @param <T> the value type
     */
    private static final class Shared<T> {
        final ReentrantLock lock = new ReentrantLock();
        final WaitList waiters = new WaitList();
        final int capacity;
        final Object[] values;
        final int[] remaining;
        long tail;
        volatile int receivers;
        int senders = 1;
        boolean closed;

        Shared(int capacity) {
            this.capacity = capacity;
            this.values = new Object[capacity];
            this.remaining = new int[capacity];
        }

        int send(T value) {
            WaitNode woken;
            int seenBy;
            lock.lock();
            try {
                seenBy = receivers;
                if (seenBy == 0) {
                    return 0;
                }
                int i = (int) (tail % capacity);
                values[i] = value;
                remaining[i] = seenBy;
                tail++;
                woken = waiters.removeAll();
            } finally {
                lock.unlock();
            }
            WaitList.wakeAll(woken);
            return seenBy;
        }

        Receiver<T> subscribe() {
            lock.lock();
            try {
                receivers++;
                return new Receiver<>(this, tail);
            } finally {
                lock.unlock();
            }
        }

        void addSender() {
            lock.lock();
            try {
                senders++;
            } finally {
                lock.unlock();
            }
        }

        void dropSender() {
            WaitNode woken = null;
            lock.lock();
            try {
                if (--senders == 0) {
                    closed = true;
                    woken = waiters.removeAll();
                }
            } finally {
                lock.unlock();
            }
            WaitList.wakeAll(woken);
        }

        void closeReceiver(Receiver<T> rx) {
            Waiter woken = null;
            lock.lock();
            try {
                if (rx.closed) {
                    return;
                }
                rx.closed = true;
                receivers--;
                for (long p = Math.max(rx.next, tail - capacity); p < tail; p++) {
                    release((int) (p % capacity));
                }
                rx.next = tail;
                Waiter w = rx.waiter;
                rx.waiter = null;
                if (w != null && w.isLinked()) {
                    waiters.remove(w);
                    woken = w;
                }
            } finally {
                lock.unlock();
            }
            if (woken != null) {
                woken.waker.wake();
            }
        }

        /** One receiver fewer still needs the value in slot {@code i}. Call with the lock held. */
        private void release(int i) {
            if (--remaining[i] == 0) {
                values[i] = null;
            }
        }

        /**
         * Takes {@code rx}'s next value, or returns null when there is none yet. Call with the
         * lock held.
         */
        @SuppressWarnings("unchecked")
        T takeLocked(Receiver<T> rx) throws ChannelClosedException, LaggedException {
            if (rx.closed) {
                throw new ChannelClosedException("this Broadcast.Receiver was closed; subscribe a new receiver to receive again");
            }
            if (rx.next == tail) {
                if (closed) {
                    throw new ChannelClosedException("every Broadcast.Sender was closed and this receiver has received every value sent");
                }
                return null;
            }
            long oldest = tail - capacity;
            if (rx.next < oldest) {
                long missed = oldest - rx.next;
                rx.next = oldest;
                throw new LaggedException(missed, capacity);
            }
            int i = (int) (rx.next % capacity);
            T value = (T) values[i];
            release(i);
            rx.next++;
            return value;
        }
    }

    /**
     * A pending recv() in the channel's list. A new one is linked for each wait: a node is
     * linked at most once (see {@link WaitList}), and a woken recv that finds its value taken
     * (another task used the same receiver) must wait again.
     */
    private static final class Waiter extends WaitNode {
    }

    /**
     * The computation behind {@link Receiver#recv()}. {@code waiting} and {@code done} are the
     * owner's, read and written under the channel's lock (cancel may come from another thread
     * than the polls, but never at the same time as one).
     */
    private static final class Recv<T> implements Async<T> {
        private final Receiver<T> rx;
        private Waiter waiting;
        private boolean done;

        Recv(Receiver<T> rx) {
            this.rx = rx;
        }

        @Override
        public Poll<T> poll(Context cx) throws ChannelClosedException, LaggedException {
            if (done) {
                throw new IllegalStateException("this recv() already completed; call recv() again for the next value");
            }
            if (!Coop.proceed(cx)) {
                return Poll.pending();
            }
            Shared<T> shared = rx.shared;
            shared.lock.lock();
            try {
                T value;
                try {
                    value = shared.takeLocked(rx);
                } catch (ChannelClosedException | LaggedException e) {
                    finishLocked(shared);
                    throw e;
                }
                if (value != null) {
                    finishLocked(shared);
                    return Poll.ready(value);
                }
                if (waiting == null || !waiting.isLinked()) {
                    waiting = new Waiter();
                    waiting.waker = cx.waker();
                    shared.waiters.add(waiting);
                    rx.waiter = waiting;
                } else {
                    waiting.waker = cx.waker();
                }
            } finally {
                shared.lock.unlock();
            }
            Coop.refund();
            return Poll.pending();
        }

        private void finishLocked(Shared<T> shared) {
            done = true;
            if (waiting != null && waiting.isLinked()) {
                shared.waiters.remove(waiting);
            }
            if (rx.waiter == waiting) {
                // Its waker references the task: the receiver must not keep it alive.
                rx.waiter = null;
            }
            waiting = null;
        }

        @Override
        public void cancel() {
            Shared<T> shared = rx.shared;
            shared.lock.lock();
            try {
                finishLocked(shared);
            } finally {
                shared.lock.unlock();
            }
        }
    }
}
