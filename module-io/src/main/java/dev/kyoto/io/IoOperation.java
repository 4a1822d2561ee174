package dev.kyoto.io;

import java.io.IOException;

/**
 * A non-blocking operation on a channel, run by {@link PollEvented} when the channel is ready.
 *
 * @param <C> the channel type
 * @param <R> the result type
 */
@FunctionalInterface
public interface IoOperation<C, R> {

    /**
     * Attempts the operation once.
     *
     * @return the result, or null if the operation would block
     * @throws IOException the operation's failure
     */
    R attempt(C channel) throws IOException;
}
