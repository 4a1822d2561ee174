package dev.kyoto.runtime.sync;

import java.io.Serial;

/**
 * Thrown when the other side of a channel has gone: a {@link Oneshot} whose sender was closed
 * without sending, an {@link Mpsc} channel whose receiver was closed (or that is closed and
 * drained, for {@link Mpsc.Receiver#tryRecv()}), a {@link Watch} whose sender was closed, a
 * {@link Broadcast} whose senders were all closed (or the receiver itself). The message says which
 * side went away.
 */
public final class ChannelClosedException extends Exception {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message which side of which channel closed, and what that means for the caller
     */
    public ChannelClosedException(String message) {
        super(message);
    }
}
