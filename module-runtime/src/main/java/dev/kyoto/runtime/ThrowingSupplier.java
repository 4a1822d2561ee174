package dev.kyoto.runtime;

/**
 * A supplier that may throw, for {@link Async#defer} and {@link Async#loop}: code that opens
 * resources or looks up the current runtime can be written inside it without wrapping, and what
 * it throws fails the computation unchanged.
 *
 * @param <T> the result type
 */
@FunctionalInterface
public interface ThrowingSupplier<T> {

    /**
     * Supplies the value.
     *
     * @throws Exception the failure of the computation
     */
    T get() throws Exception;
}
