package dev.kyoto.runtime;

/**
 * A function that may throw, for {@link Async}'s combinators: I/O calls such as
 * {@code stream.close()} can be made inside a {@code then} or {@code map} without wrapping, and
 * what they throw fails the computation unchanged.
 *
 * @param <T> the argument type
 * @param <R> the result type
 */
@FunctionalInterface
public interface ThrowingFunction<T, R> {

    /**
     * Applies the function.
     *
     * @throws Exception the failure of the computation
     */
    R apply(T t) throws Exception;
}
