package dev.kyoto.tls;

import javax.net.ssl.SSLException;

/**
 * The peer's stream ended without a TLS {@code close_notify}: the connection was cut, and the
 * data read so far may not be all the peer sent (a truncation attack looks like this). A clean
 * close, where the peer sent {@code close_notify} first, is not an error: the read returns -1.
 *
 * <p>Protocols that carry their own lengths (HTTP with {@code Content-Length}, most binary
 * protocols) may accept what they read and ignore this; others must not trust the data.
 */
public final class TlsTruncationException extends SSLException {
    private static final long serialVersionUID = 1L;

    /** @param message what was being done when the stream ended */
    public TlsTruncationException(String message) {
        super(message);
    }
}
