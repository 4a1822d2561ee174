package dev.kyoto.runtime.sync;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Optional;

/**
 * A fair asynchronous mutex around a value: tasks wait for the lock by returning pending, never by
 * blocking their thread, and may hold it across their own waits (which a
 * {@code java.util.concurrent} lock held by a task must never be).
 *
 * <pre>{@code
 * Mutex<List<String>> log = new Mutex<>(new ArrayList<>());
 * Async<Void> append = log.lock().map(guard -> {
 *     try (guard) {
 *         guard.get().add(line);
 *     }
 *     return null;
 * });
 * }</pre>
 *
 * <p>Tasks get the lock in the order they first polled {@link #lock()}; {@link #tryLock()} never
 * overtakes a queued task. A pending {@code lock()} that is cancelled leaves the mutex as if it had
 * never asked, and if the lock had just been handed to it, it passes to the next waiter.
 *
 * <p>Concurrency state: a {@link Semaphore} with one permit; {@code value} is read and written
 * only by the holder of that permit, through its {@link Guard}. The semaphore's CAS on release
 * and on acquire order one holder's writes before the next holder's reads.
 *
 * @param <T> the type of the value the lock guards
 */
public final class Mutex<T> {
    private final Semaphore semaphore = new Semaphore(1);
    private T value;

    /**
     * Creates an unlocked mutex.
     *
     * @param value the value it guards, which may be null
     */
    public Mutex(T value) {
        this.value = value;
    }

    /**
     * A computation that waits for the lock and yields its guard. Nothing is queued until it is
     * first polled; every poll spends one unit of the task's cooperative budget.
     *
     * @return the computation; it yields the guard, whose close releases the lock
     */
    public Async<Guard<T>> lock() {
        return new Lock<>(this);
    }

    /**
     * Takes the lock now if it is free and nobody is queued for it.
     *
     * @return the guard, or empty if the lock is held or tasks are queued for it
     */
    public Optional<Guard<T>> tryLock() {
        return semaphore.tryTake(1) == SemaphoreWaiter.Outcome.ACQUIRED
                ? Optional.of(new Guard<>(this))
                : Optional.empty();
    }

    /** Whether somebody holds the lock now. */
    public boolean isLocked() {
        return semaphore.availablePermits() == 0;
    }

    /** How many lock() calls are queued; for tests. */
    int waiterCount() {
        return semaphore.waiterCount();
    }

    /**
     * The holder's access to the value; {@link #close()} releases the lock, handing it to the next
     * waiter. Use it from the task that locked, and close it exactly once the work is done.
     *
     * @param <T> the type of the guarded value
     */
    public static final class Guard<T> implements AutoCloseable {
        private static final VarHandle RELEASED;

        static {
            try {
                RELEASED = MethodHandles.lookup().findVarHandle(Guard.class, "released", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final Mutex<T> mutex;
        /** Set by the one close that releases the lock. */
        private volatile boolean released;

        private Guard(Mutex<T> mutex) {
            this.mutex = mutex;
        }

        /**
         * The guarded value.
         *
         * @return the value, which may be null
         * @throws IllegalStateException if the guard was closed
         */
        public T get() {
            requireHeld();
            return mutex.value;
        }

        /**
         * Replaces the guarded value.
         *
         * @param value the new value, which may be null
         * @throws IllegalStateException if the guard was closed
         */
        public void set(T value) {
            requireHeld();
            mutex.value = value;
        }

        /** Releases the lock. Idempotent. */
        @Override
        public void close() {
            if (RELEASED.compareAndSet(this, false, true)) {
                mutex.semaphore.release(1);
            }
        }

        private void requireHeld() {
            if (released) {
                throw new IllegalStateException("this Mutex.Guard was closed and no longer holds the lock; "
                        + "lock the mutex again to use its value");
            }
        }
    }

    /** The computation behind {@link #lock()}; it is its own waiter node. */
    private static final class Lock<T> extends SemaphoreWaiter implements Async<Guard<T>> {
        private final Mutex<T> mutex;

        Lock(Mutex<T> mutex) {
            super(mutex.semaphore, 1);
            this.mutex = mutex;
        }

        @Override
        public Poll<Guard<T>> poll(Context cx) {
            // The mutex never closes its semaphore, so the outcome is acquired or pending.
            return pollAcquire(cx) == Outcome.ACQUIRED ? Poll.ready(new Guard<>(mutex)) : Poll.pending();
        }

        @Override
        public void cancel() {
            cancelAcquire();
        }
    }
}
