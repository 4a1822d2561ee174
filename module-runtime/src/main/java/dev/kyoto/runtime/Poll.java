package dev.kyoto.runtime;

import java.util.NoSuchElementException;

/**
 * The result of one poll: {@link #pending()} or {@link #ready(Object)}.
 *
 * @param <T> the value type
 */
public sealed interface Poll<T> permits Poll.Ready, Poll.Pending {

    /** A computation that has finished with {@code value}. */
    record Ready<T>(T value) implements Poll<T> {
        /** The result of every computation that completes with null, such as an {@code Async<Void>}. */
        static final Ready<?> NULL = new Ready<>(null);
    }

    /** A computation that cannot progress yet and has arranged for its waker to be woken. */
    final class Pending<T> implements Poll<T> {
        static final Pending<?> INSTANCE = new Pending<>();

        private Pending() {
        }

        @Override
        public String toString() {
            return "Pending";
        }
    }

    /** The shared pending result; it allocates nothing. */
    @SuppressWarnings("unchecked")
    static <T> Poll<T> pending() {
        return (Poll<T>) Pending.INSTANCE;
    }

    /** A ready result carrying {@code value}, which may be null (then a shared instance: no allocation). */
    @SuppressWarnings("unchecked")
    static <T> Poll<T> ready(T value) {
        return value == null ? (Poll<T>) Ready.NULL : new Ready<>(value);
    }

    /** Whether the computation has finished. */
    default boolean isReady() {
        return this instanceof Ready;
    }

    /** Whether the computation is still in progress. */
    default boolean isPending() {
        return this instanceof Pending;
    }

    /**
     * The value of a ready result.
     *
     * @throws NoSuchElementException if this result is pending
     */
    default T value() {
        if (this instanceof Ready<T>(T v)) {
            return v;
        }
        throw new NoSuchElementException("the poll is pending and has no value yet; check isReady() first");
    }
}
