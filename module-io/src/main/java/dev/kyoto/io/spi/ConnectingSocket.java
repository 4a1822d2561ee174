package dev.kyoto.io.spi;

import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;

/**
 * A TCP connect in progress on a socket a {@link SocketDriver} owns. Until {@link #pollConnect}
 * hands the connected socket over, this object owns it, and {@link #close()} (a failure, a lost
 * race, a cancel) closes it.
 *
 * <p>One task polls it at a time; {@link #close()} may come from any thread.
 */
public interface ConnectingSocket {

    /**
     * Pending while the handshake runs; the connected socket once it completes, after which the
     * caller owns it and {@link #close()} does nothing.
     *
     * @throws IOException why the connect failed, of the JDK's types where the JDK's sockets have
     *                     them ({@link java.net.ConnectException} "Connection refused"); the
     *                     runtime's shutdown error after shutdown; "connect closed" after close
     */
    Poll<StreamSocket> pollConnect(Context cx) throws IOException;

    /** Abandons the connect and closes its socket, unless it was handed over; idempotent. */
    void close();
}
