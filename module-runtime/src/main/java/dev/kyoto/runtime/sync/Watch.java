package dev.kyoto.runtime.sync;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.spi.Coop;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A single-value broadcast: one sender publishes a value, any number of receivers read the latest
 * one and wait for the next. Intermediate values a receiver was too slow to see are skipped; only
 * the latest counts (configuration, a status, a shutdown flag).
 *
 * <pre>{@code
 * Watch.Channel<Config> ch = Watch.channel(initial);
 * Watch.Receiver<Config> rx = ch.sender().subscribe();
 * Config now = rx.get();
 * Config next = runtime.blockOn(rx.changed());    // waits for a newer value than seen
 * }</pre>
 *
 * <p>Values are shared by reference between threads: publish immutable ones.
 *
 * @see Sender
 * @see Receiver
 */
public final class Watch {
    private Watch() {
    }

    /**
     * Creates a channel holding {@code initial}, with one receiver that has seen it.
     *
     * @param initial the first value, which may be null
     * @param <T> the value type
     * @return the sender and a first receiver
     */
    public static <T> Channel<T> channel(T initial) {
        Shared<T> shared = new Shared<>(initial);
        Sender<T> sender = new Sender<>(shared);
        return new Channel<>(sender, sender.subscribe());
    }

    /**
     * The two ends of a new watch channel.
     *
     * @param sender the sending end
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
     * The sending end: publishes values and makes receivers. Its methods may be called from any
     * thread; sends are ordered by a lock.
     *
     * @param <T> the value type
     */
    public static final class Sender<T> implements AutoCloseable {
        private final Shared<T> shared;

        private Sender(Shared<T> shared) {
            this.shared = shared;
        }

        /**
         * Publishes {@code value} as the latest and wakes every receiver waiting in
         * {@link Receiver#changed()}. Never waits.
         *
         * @param value the new value, which may be null
         * @throws IllegalStateException if this sender was closed
         */
        public void send(T value) {
            shared.publish(value);
        }

        /** A new receiver that has seen the current value. */
        public Receiver<T> subscribe() {
            return new Receiver<>(shared, shared.current.version());
        }

        /**
         * Closes the channel: receivers keep the latest value, and their {@code changed()} fails
         * with {@link ChannelClosedException} once they have seen it. Idempotent.
         */
        @Override
        public void close() {
            shared.close();
        }
    }

    /**
     * A reading end, remembering the version it has seen. One task uses a receiver at a time;
     * subscribe another receiver for another task.
     *
     * @param <T> the value type
     */
    public static final class Receiver<T> {
        private final Shared<T> shared;
        /** The version this receiver has seen; the receiver's own. */
        private long seen;

        private Receiver(Shared<T> shared, long seen) {
            this.shared = shared;
            this.seen = seen;
        }

        /** The latest value. Does not mark it seen. */
        public T get() {
            return shared.current.value();
        }

        /** Whether a value newer than the last one this receiver has seen was sent. */
        public boolean hasChanged() {
            return shared.current.version() != seen;
        }

        /**
         * A computation that completes with the latest value as soon as it is newer than the one
         * this receiver has seen, and marks it seen. If it is newer already, it completes at once.
         * Every poll spends one unit of the task's cooperative budget.
         *
         * @return the computation; it fails with {@link ChannelClosedException} if the sender is
         *         closed and no newer value is left to see
         */
        public Async<T> changed() {
            return new Changed<>(this);
        }

        /** How many changed() computations of the channel are queued; for tests. */
        int waiterCount() {
            return shared.waiterCount();
        }
    }

    /** A published value and its number; replaced as a whole, so readers need no lock. */
    private record Version<T>(T value, long version) {
    }

    /**
     * The channel's state.
     *
     * <ul>
     *   <li>{@code current}: volatile; replaced under {@code lock} by each send, read by anyone
     *       without the lock. Versions increase by one per send.</li>
     *   <li>{@code closed}: volatile; set once under {@code lock}.</li>
     *   <li>{@code waiters}: pending {@code changed()} computations, guarded by {@code lock}.</li>
     * </ul>
     * Invariant: a waiter is linked only after it found, under the lock, no newer version and no
     * close; every send and the close remove all waiters under the lock after publishing. So a
     * waiter cannot miss a send. Wakers run after the lock is released.
     */
    private static final class Shared<T> {
        volatile Version<T> current;
        volatile boolean closed;
        final ReentrantLock lock = new ReentrantLock();
        final WaitList waiters = new WaitList();

        Shared(T initial) {
            current = new Version<>(initial, 0);
        }

        void publish(T value) {
            WaitNode woken;
            lock.lock();
            try {
                if (closed) {
                    throw new IllegalStateException("this Watch.Sender was closed; values sent now would never be seen");
                }
                current = new Version<>(value, current.version() + 1);
                woken = waiters.removeAll();
            } finally {
                lock.unlock();
            }
            WaitList.wakeAll(woken);
        }

        void close() {
            WaitNode woken;
            lock.lock();
            try {
                closed = true;
                woken = waiters.removeAll();
            } finally {
                lock.unlock();
            }
            WaitList.wakeAll(woken);
        }

        int waiterCount() {
            lock.lock();
            try {
                return waiters.size();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * The computation behind {@link Receiver#changed()}; it is its own waiter node. Once a send or
     * the close removed it from the list it completes on its next poll, whatever it then finds:
     * with the latest value (a send happened, even if another computation of the same receiver saw
     * it first), or with the closed error.
     */
    private static final class Changed<T> extends WaitNode implements Async<T> {
        private final Receiver<T> receiver;
        private boolean done;

        Changed(Receiver<T> receiver) {
            this.receiver = receiver;
        }

        @Override
        public Poll<T> poll(Context cx) throws ChannelClosedException {
            if (done) {
                throw new IllegalStateException("this changed() already completed; call changed() again to wait again");
            }
            if (!Coop.proceed(cx)) {
                return Poll.pending();
            }
            Shared<T> shared = receiver.shared;
            Poll<T> now = check(shared, false);
            if (now != null) {
                return now;
            }
            shared.lock.lock();
            try {
                now = check(shared, link == REMOVED);
                if (now != null) {
                    return now;
                }
                waker = cx.waker();
                if (link == NEW) {
                    shared.waiters.add(this);
                }
            } finally {
                shared.lock.unlock();
            }
            Coop.refund();
            return Poll.pending();
        }

        /** The outcome if there is one now: a newer value, or the close; null to keep waiting. */
        private Poll<T> check(Shared<T> shared, boolean removed) throws ChannelClosedException {
            // closed before current: no send follows the close, so once closed is seen the value
            // read next is the last one. The other order could see an old value, then the close
            // of a send it missed, and report the end with that send unseen.
            boolean closed = shared.closed;
            Version<T> v = shared.current;
            if (v.version() != receiver.seen || removed && !closed) {
                receiver.seen = v.version();
                done = true;
                return Poll.ready(v.value());
            }
            if (closed) {
                done = true;
                throw new ChannelClosedException("the Watch.Sender was closed and this receiver has seen its last value");
            }
            return null;
        }

        @Override
        public void cancel() {
            done = true;
            Shared<T> shared = receiver.shared;
            shared.lock.lock();
            try {
                if (isLinked()) {
                    shared.waiters.remove(this);
                }
            } finally {
                shared.lock.unlock();
            }
        }
    }
}
