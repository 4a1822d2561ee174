package dev.kyoto.io.spi;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.net.SocketAddress;

/**
 * A listening TCP socket owned by a {@link SocketDriver}.
 *
 * <p>After {@link #close()}, every accept fails with an {@link IOException} saying the listener is
 * closed, and tasks that were waiting are woken to see it; after the runtime's shutdown they fail
 * with its shutdown error.
 */
public interface ListenerSocket {

    /**
     * Accepts the next connection; any number of tasks may accept at once, each woken on its own.
     * An accepted socket that nobody takes (its accept was cancelled) is closed.
     */
    Async<StreamSocket> accept();

    /** Accepts on the listener's single accept slot: a second task polling takes the first one's place. */
    Poll<StreamSocket> pollAccept(Context cx) throws IOException;

    /** The address the socket is bound to: an {@link java.net.InetSocketAddress}, or a Unix-domain socket's path. */
    SocketAddress localAddress();

    /**
     * The time-to-live the listener gives the connections it accepts: {@code IP_TTL}, or for an
     * IPv6 socket {@code IPV6_UNICAST_HOPS}.
     *
     * @throws UnsupportedOperationException on a socket of the JDK's, which has no such option
     */
    default int ttl() throws IOException {
        throw NeedsOwnSockets.error("Reading IP_TTL", "the JDK has no socket option for it");
    }

    /**
     * Sets the time-to-live of the connections the listener accepts from now on (1 to 255); they
     * inherit it from the listening socket.
     *
     * @throws UnsupportedOperationException on a socket of the JDK's, which has no such option
     */
    default void setTtl(int ttl) throws IOException {
        throw NeedsOwnSockets.error("Setting IP_TTL", "the JDK has no socket option for it");
    }

    /** Stops listening and closes the socket; idempotent. */
    void close() throws IOException;
}
