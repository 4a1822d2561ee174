package dev.kyoto.runtime.sync;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Optional;

/**
 * A fair asynchronous reader-writer lock around a value (Tokio's {@code RwLock}): any number of
 * readers at once, or one writer, who wait by returning pending and may hold the lock across
 * their own waits.
 *
 * <pre>{@code
 * RwLock<Map<String, String>> table = new RwLock<>(new HashMap<>());
 * Async<String> lookup = table.read().map(g -> {
 *     try (g) {
 *         return g.get().get(key);
 *     }
 * });
 * }</pre>
 *
 * <p><b>Fairness.</b> Tasks get the lock in the order they first polled {@link #read()} or
 * {@link #write()}: a queued writer holds back every reader that asks after it, so a steady
 * stream of readers cannot starve a writer, and readers queued behind a writer get in together
 * once it is done. {@link #tryRead()} and {@link #tryWrite()} never overtake a queued task.
 *
 * <p><b>Cancellation.</b> A pending {@code read()} or {@code write()} that is cancelled leaves the
 * lock as if it had never asked: a queued writer that gives up lets the readers queued behind it
 * in at once (if only readers hold the lock), and a lock that had just been handed to it passes
 * on.
 *
 * <p>Concurrency state: a {@link Semaphore} of {@code maxReaders} permits. A reader holds one, a
 * writer all of them, so the semaphore's FIFO queue is the lock's fairness, and a writer at the
 * head of the queue collects the permits readers give back while later readers wait behind it.
 * {@code value} is read by the holders of permits and written only by the holder of all of them;
 * the semaphore's CAS on release and on acquire order a writer's writes before later reads.
 *
 * @param <T> the type of the value the lock guards
 */
public final class RwLock<T> {
    private final Semaphore semaphore;
    private final int maxReaders;
    private T value;

    /**
     * Creates an unlocked lock that admits up to {@link Semaphore#MAX_PERMITS} readers at once.
     *
     * @param value the value it guards, which may be null
     */
    public RwLock(T value) {
        this(value, Semaphore.MAX_PERMITS);
    }

    /**
     * Creates an unlocked lock that admits at most {@code maxReaders} readers at once; further
     * readers wait as for a writer.
     *
     * @param value the value it guards, which may be null
     * @param maxReaders from 1 to {@link Semaphore#MAX_PERMITS}
     * @throws IllegalArgumentException if {@code maxReaders} is less than 1
     */
    public RwLock(T value, int maxReaders) {
        if (maxReaders < 1) {
            throw new IllegalArgumentException("an RwLock must admit at least 1 reader, got maxReaders " + maxReaders);
        }
        this.value = value;
        this.maxReaders = maxReaders;
        this.semaphore = new Semaphore(maxReaders);
    }

    /**
     * A computation that waits for shared access and yields its guard. Nothing is queued until it
     * is first polled; every poll spends one unit of the task's cooperative budget.
     *
     * @return the computation; it yields the guard, whose close gives the access back
     */
    public Async<ReadGuard<T>> read() {
        return new ReadLock<>(this);
    }

    /**
     * A computation that waits for exclusive access and yields its guard. Nothing is queued until
     * it is first polled; every poll spends one unit of the task's cooperative budget.
     *
     * @return the computation; it yields the guard, whose close releases the lock
     */
    public Async<WriteGuard<T>> write() {
        return new WriteLock<>(this);
    }

    /**
     * Takes shared access now if no writer holds the lock, nobody is queued for it, and fewer than
     * {@code maxReaders} readers hold it.
     *
     * @return the guard, or empty if not now
     */
    public Optional<ReadGuard<T>> tryRead() {
        return semaphore.tryTake(1) == SemaphoreWaiter.Outcome.ACQUIRED
                ? Optional.of(new ReadGuard<>(this))
                : Optional.empty();
    }

    /**
     * Takes exclusive access now if nobody holds the lock and nobody is queued for it.
     *
     * @return the guard, or empty if not now
     */
    public Optional<WriteGuard<T>> tryWrite() {
        return semaphore.tryTake(maxReaders) == SemaphoreWaiter.Outcome.ACQUIRED
                ? Optional.of(new WriteGuard<>(this))
                : Optional.empty();
    }

    /** How many readers may hold the lock at once. */
    public int maxReaders() {
        return maxReaders;
    }

    /** How many read() and write() calls are queued; for tests. */
    int waiterCount() {
        return semaphore.waiterCount();
    }

    /**
     * Shared access to the value; {@link #close()} gives it back. Close it exactly once the
     * reading is done.
     *
     * @param <T> the type of the guarded value
     */
    public static final class ReadGuard<T> implements AutoCloseable {
        private static final VarHandle RELEASED;

        static {
            try {
                RELEASED = MethodHandles.lookup().findVarHandle(ReadGuard.class, "released", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final RwLock<T> lock;
        /** Set by the one close that gives the permit back. */
        private volatile boolean released;

        private ReadGuard(RwLock<T> lock) {
            this.lock = lock;
        }

        /**
         * The guarded value. Other readers may read it at the same time: do not mutate it.
         *
         * @return the value, which may be null
         * @throws IllegalStateException if the guard was closed
         */
        public T get() {
            if (released) {
                throw new IllegalStateException("this RwLock.ReadGuard was closed and no longer holds the lock; "
                        + "read() the lock again to use its value");
            }
            return lock.value;
        }

        /** Gives the shared access back, letting a queued writer in once no reader is left. Idempotent. */
        @Override
        public void close() {
            if (RELEASED.compareAndSet(this, false, true)) {
                lock.semaphore.release(1);
            }
        }
    }

    /**
     * Exclusive access to the value; {@link #close()} releases the lock, and
     * {@link #downgrade()} turns it into shared access without letting a writer in between.
     *
     * @param <T> the type of the guarded value
     */
    public static final class WriteGuard<T> implements AutoCloseable {
        private static final VarHandle RELEASED;

        static {
            try {
                RELEASED = MethodHandles.lookup().findVarHandle(WriteGuard.class, "released", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final RwLock<T> lock;
        /** Set by the one close or downgrade that gives the permits back. */
        private volatile boolean released;

        private WriteGuard(RwLock<T> lock) {
            this.lock = lock;
        }

        /**
         * The guarded value.
         *
         * @return the value, which may be null
         * @throws IllegalStateException if the guard was closed or downgraded
         */
        public T get() {
            requireHeld();
            return lock.value;
        }

        /**
         * Replaces the guarded value.
         *
         * @param value the new value, which may be null
         * @throws IllegalStateException if the guard was closed or downgraded
         */
        public void set(T value) {
            requireHeld();
            lock.value = value;
        }

        /**
         * Turns exclusive access into shared access at once: readers queued at the head of the
         * line get in with it, and no writer can take the lock in between.
         *
         * @return the read guard, which now holds the lock; this guard no longer does
         * @throws IllegalStateException if the guard was closed or downgraded
         */
        public ReadGuard<T> downgrade() {
            if (!RELEASED.compareAndSet(this, false, true)) {
                throw closedError();
            }
            if (lock.maxReaders > 1) {
                lock.semaphore.release(lock.maxReaders - 1);
            }
            return new ReadGuard<>(lock);
        }

        /** Releases the lock. Idempotent; does nothing after {@link #downgrade()}. */
        @Override
        public void close() {
            if (RELEASED.compareAndSet(this, false, true)) {
                lock.semaphore.release(lock.maxReaders);
            }
        }

        private void requireHeld() {
            if (released) {
                throw closedError();
            }
        }

        private static IllegalStateException closedError() {
            return new IllegalStateException("this RwLock.WriteGuard was closed or downgraded and no longer holds "
                    + "the lock for writing; write() the lock again");
        }
    }

    /** The computation behind {@link #read()}; it is its own waiter node. */
    private static final class ReadLock<T> extends SemaphoreWaiter implements Async<ReadGuard<T>> {
        private final RwLock<T> lock;

        ReadLock(RwLock<T> lock) {
            super(lock.semaphore, 1);
            this.lock = lock;
        }

        @Override
        public Poll<ReadGuard<T>> poll(Context cx) {
            // The lock never closes its semaphore, so the outcome is acquired or pending.
            return pollAcquire(cx) == Outcome.ACQUIRED ? Poll.ready(new ReadGuard<>(lock)) : Poll.pending();
        }

        @Override
        public void cancel() {
            cancelAcquire();
        }
    }

    /** The computation behind {@link #write()}; it is its own waiter node. */
    private static final class WriteLock<T> extends SemaphoreWaiter implements Async<WriteGuard<T>> {
        private final RwLock<T> lock;

        WriteLock(RwLock<T> lock) {
            super(lock.semaphore, lock.maxReaders);
            this.lock = lock;
        }

        @Override
        public Poll<WriteGuard<T>> poll(Context cx) {
            return pollAcquire(cx) == Outcome.ACQUIRED ? Poll.ready(new WriteGuard<>(lock)) : Poll.pending();
        }

        @Override
        public void cancel() {
            cancelAcquire();
        }
    }
}
