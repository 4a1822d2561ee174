package dev.kyoto.examples.redis.resp;

import java.io.IOException;

/**
 * Bytes that are not RESP, or announce more than the server accepts: the connection cannot be
 * read any further. The message is Redis's own reason, such as {@code invalid bulk length}; the
 * server replies {@code -ERR Protocol error: <reason>} and closes the connection, as Redis does.
 */
public final class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * @param reason Redis's wording for what is wrong, e.g. {@code invalid multibulk length}
     */
    public ProtocolException(String reason) {
        super(reason);
    }

    /** {@return the error reply Redis sends before it closes the connection} */
    public Frame.Error reply() {
        return new Frame.Error("ERR Protocol error: " + getMessage());
    }
}
