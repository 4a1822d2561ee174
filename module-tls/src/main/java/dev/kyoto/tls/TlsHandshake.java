package dev.kyoto.tls;

import dev.kyoto.io.AsyncRead;
import dev.kyoto.io.AsyncWrite;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * The handshake of a new {@link TlsStream}: completes with the stream once it is done. On
 * failure, and on cancellation before it is done (a timeout around it, say), the stream beneath
 * is closed, after a best-effort attempt to send the engine's alert: a failed connect or accept
 * leaves nothing open.
 */
final class TlsHandshake<S extends AsyncRead & AsyncWrite> implements Async<TlsStream<S>> {
    /** How deep {@link #reasons} looks into the causes: a bound, should a chain loop. */
    private static final int MAX_CAUSES = 8;

    private final TlsStream<S> stream;
    private final String peer;
    private boolean done;

    TlsHandshake(TlsStream<S> stream, String peer) {
        this.stream = stream;
        this.peer = peer;
    }

    @Override
    public Poll<TlsStream<S>> poll(Context cx) throws Exception {
        try {
            if (stream.pollHandshake(cx).isPending()) {
                return Poll.pending();
            }
        } catch (Exception e) {
            done = true;
            stream.abort(cx);
            throw explained(e);
        }
        done = true;
        return Poll.ready(stream);
    }

    @Override
    public void cancel() {
        if (!done) {
            done = true;
            stream.abort(null);
        }
    }

    /** The failure, with what was being done and with whom; the JDK's own words kept as the cause. */
    private Exception explained(Exception e) {
        if (!(e instanceof SSLException)) {
            return e;
        }
        SSLHandshakeException x = new SSLHandshakeException("TLS handshake with " + peer + " failed: " + reasons(e));
        x.initCause(e);
        return x;
    }

    /**
     * The messages of {@code e} and of its causes, each said once. The JDK sometimes gives the
     * reason only in a cause: an alert OpenSSL sends in plaintext fails the unwrap with
     * "Unexpected exception", caused by "Unexpected plaintext alert received: Level: fatal;
     * Alert: unknown_ca".
     */
    private static String reasons(Throwable e) {
        StringBuilder said = new StringBuilder(String.valueOf(e.getMessage()));
        Throwable c = e.getCause();
        for (int depth = 0; c != null && depth < MAX_CAUSES; c = c.getCause(), depth++) {
            String m = c.getMessage();
            if (m != null && said.indexOf(m) < 0) {
                said.append(": ").append(m);
            }
        }
        return said.toString();
    }
}
