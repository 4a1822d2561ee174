package dev.kyoto.runtime.sync;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.ThrowingSupplier;
import dev.kyoto.runtime.spi.Coop;
import java.util.Objects;
import java.util.Optional;

/**
 * A value set at most once, possibly by an asynchronous initialiser (Tokio's {@code OnceCell}):
 * a connection pool, a configuration, a lazily resolved address shared by every task.
 *
 * <pre>{@code
 * OnceCell<InetSocketAddress> upstream = new OnceCell<>();
 * Async<Connection> connect = upstream.getOrInit(() -> resolve(host)).then(addr -> open(addr));
 * }</pre>
 *
 * <p>{@link #getOrInit} runs one initialiser at a time: the first caller to find the cell empty
 * runs its own, and the others wait (in a queue, not spinning) for its outcome. If it completes,
 * they all get its value. If it fails, or its computation is cancelled, the cell stays empty and
 * the next waiter in line runs its own initialiser. A waiting {@code getOrInit} that is cancelled
 * leaves the queue as if it had never asked.
 *
 * <p>The value is never null: null is how the cell says "empty". An initialiser must not call
 * {@code getOrInit} on the same cell: it would wait for itself.
 *
 * <p>Concurrency state:
 * <ul>
 *   <li>{@code value}: volatile; null until set, then never changes. Written only by the holder
 *       of {@code initializing}'s one permit.</li>
 *   <li>{@code initializing}: a {@link Semaphore} of one permit: the right to set the value. It is
 *       closed right after the value is set, which wakes every queued {@code getOrInit} with
 *       "closed", meaning "the value is there".</li>
 * </ul>
 * Invariant: {@code initializing} is closed exactly when {@code value} is set, and it is closed
 * after the write, so whoever sees it closed reads the value.
 *
 * @param <T> the value type
 */
public final class OnceCell<T> {
    private final Semaphore initializing = new Semaphore(1);
    private volatile T value;

    /** Creates an empty cell. */
    public OnceCell() {
    }

    /** The value, or empty if it is not set yet (or is being initialised). */
    public Optional<T> get() {
        return Optional.ofNullable(value);
    }

    /** Whether the value is set. */
    public boolean isInitialized() {
        return value != null;
    }

    /**
     * Sets the value now if the cell is empty and no initialiser is running, and wakes every
     * {@link #getOrInit} waiting for it.
     *
     * @param value the value, not null
     * @return true if this call set it; false if the cell already holds a value or a
     *         {@code getOrInit} initialiser is running (which may still fail and leave it empty)
     */
    public boolean set(T value) {
        Objects.requireNonNull(value, "value");
        if (this.value != null || initializing.tryTake(1) != SemaphoreWaiter.Outcome.ACQUIRED) {
            return false;
        }
        publish(value);
        return true;
    }

    /**
     * A computation that yields the value, running {@code init}'s computation first if the cell
     * is empty and no other initialiser is running, or waiting for the one that is. Every poll
     * spends one unit of the task's cooperative budget (the initialiser spends its own).
     *
     * @param init makes the initialising computation; called at most once per
     *         {@code getOrInit}, only when it is this caller's turn to initialise; it must not
     *         return null, nor may its computation complete with null
     * @return the computation; it yields the value, or fails as this caller's initialiser failed
     *         (the cell then stays empty and the next waiter tries its own)
     */
    public Async<T> getOrInit(ThrowingSupplier<? extends Async<T>> init) {
        return new GetOrInit<>(this, Objects.requireNonNull(init, "init"));
    }

    /** How many getOrInit calls are queued behind a running initialiser; for tests. */
    int waiterCount() {
        return initializing.waiterCount();
    }

    /** Sets the value and ends initialisation. Call holding the permit. */
    private void publish(T v) {
        value = v;
        initializing.close();
    }

    /**
     * The computation behind {@link #getOrInit}; it is its own waiter node in the queue for the
     * permit. {@code running} and {@code done} are the owner's.
     */
    private static final class GetOrInit<T> extends SemaphoreWaiter implements Async<T> {
        private final OnceCell<T> cell;
        private final ThrowingSupplier<? extends Async<T>> init;
        /** This caller's initialising computation, while it holds the permit; else null. */
        private Async<T> running;
        private boolean done;

        GetOrInit(OnceCell<T> cell, ThrowingSupplier<? extends Async<T>> init) {
            super(cell.initializing, 1);
            this.cell = cell;
            this.init = init;
        }

        @Override
        public Poll<T> poll(Context cx) throws Exception {
            if (done) {
                throw new IllegalStateException("this getOrInit() already completed; call get() or getOrInit() again");
            }
            if (running == null) {
                T v = cell.value;
                if (v != null) {
                    if (!Coop.proceed(cx)) {
                        return Poll.pending();
                    }
                    done = true;
                    return Poll.ready(v);
                }
                switch (pollAcquire(cx)) {
                    case PENDING:
                        return Poll.pending();
                    case CLOSED:
                        // Closed only once the value is set.
                        done = true;
                        return Poll.ready(cell.value);
                    case ACQUIRED:
                        // The permit was free, so the cell was not closed: it is still empty.
                        try {
                            running = Objects.requireNonNull(init.get(), "the OnceCell initializer returned a null "
                                    + "computation; return Async.ready(value) for a value known at once");
                        } catch (Throwable t) {
                            giveUp();
                            throw t;
                        }
                        break;
                }
            }
            Poll<T> p;
            try {
                p = running.poll(cx);
            } catch (Throwable t) {
                giveUp();
                throw t;
            }
            if (p.isPending()) {
                return Poll.pending();
            }
            T v = p.value();
            if (v == null) {
                giveUp();
                throw new NullPointerException("the OnceCell initializer completed with null; a OnceCell is empty while "
                        + "its value is null, so complete it with a value (an Optional, if absence is the answer)");
            }
            running = null;
            done = true;
            cell.publish(v);
            return Poll.ready(v);
        }

        /** Ends this caller's turn without a value: the next waiter runs its own initialiser. */
        private void giveUp() {
            running = null;
            done = true;
            cell.initializing.release(1);
        }

        @Override
        public void cancel() {
            if (running != null) {
                // The initialiser releases what it holds before the next one may start.
                try {
                    running.cancel();
                } finally {
                    giveUp();
                }
            } else {
                done = true;
                cancelAcquire();
            }
        }
    }
}
