package dev.kyoto.runtime;

/**
 * An action that may throw, for {@link Async#ensure}: cleanup such as {@code stream.close()} can
 * be written without wrapping.
 */
@FunctionalInterface
public interface ThrowingRunnable {

    /**
     * Runs the action.
     *
     * @throws Exception the action's failure
     */
    void run() throws Exception;
}
