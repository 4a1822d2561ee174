package dev.kyoto.io.spi;

import dev.kyoto.io.AsyncRead;
import dev.kyoto.io.AsyncWrite;
import dev.kyoto.io.Interest;
import dev.kyoto.io.Ready;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * A connected TCP socket owned by a {@link SocketDriver}: what {@code dev.kyoto.net.TcpStream}
 * stands on when the runtime's driver owns its sockets.
 *
 * <p>Reads and writes follow {@link AsyncRead} and {@link AsyncWrite}: at most one task reads and
 * one writes at a time through the {@code poll…} methods. A driver that completes operations
 * rather than reporting readiness may take written bytes into a buffer of its own and send them
 * after {@link #pollWrite} returns, as the kernel's socket buffer does; {@link #pollFlush} then
 * waits until they are sent, and {@link #shutdownOutput()} and {@link #close()} send them first.
 *
 * <p>Readiness keeps its meaning for such a driver: readable when a read would return bytes, the
 * end of the stream or an error without waiting; writable when a write would take bytes.
 *
 * <p>After {@link #close()}, every operation fails with {@code IOException("stream closed")}, and
 * tasks that were waiting are woken to see it.
 */
public interface StreamSocket extends AsyncRead, AsyncWrite {

    /**
     * Reads what is available without waiting.
     *
     * @return the number of bytes read, -1 at end of stream, or 0 if nothing is available
     */
    int tryRead(ByteBuffer dst) throws IOException;

    /**
     * Writes what the socket will take without waiting.
     *
     * @return the number of bytes taken, or 0 if there is no room
     */
    int tryWrite(ByteBuffer src) throws IOException;

    /** Waits until the socket has any readiness {@code interest} asks for; any number of tasks may wait at once. */
    Async<Ready> ready(Interest interest);

    /** Read readiness on the single reader slot. */
    Poll<Ready> pollReadReady(Context cx) throws IOException;

    /** Write readiness on the single writer slot. */
    Poll<Ready> pollWriteReady(Context cx) throws IOException;

    /** Ends the output with a FIN once what was written is sent; reads go on. */
    void shutdownOutput() throws IOException;

    /** Sets a standard socket option ({@link java.net.StandardSocketOptions}). */
    <T> void setOption(SocketOption<T> name, T value) throws IOException;

    /** Reads a standard socket option. */
    <T> T getOption(SocketOption<T> name) throws IOException;

    /** The local address: an {@link java.net.InetSocketAddress} for TCP, a {@link java.net.UnixDomainSocketAddress} for a Unix-domain stream. */
    SocketAddress localAddress() throws IOException;

    /** The peer's address, of the same kind as {@link #localAddress()}. */
    SocketAddress remoteAddress() throws IOException;

    /**
     * Whether {@link #pollPeek} leaves the bytes it returns in the socket, where every later read
     * and peek finds them. A socket that cannot peek (the JDK's channels have no {@code MSG_PEEK})
     * answers false, and its caller reads ahead into a buffer of its own instead.
     */
    default boolean peeks() {
        return false;
    }

    /**
     * Reads into {@code dst} without taking the bytes from the socket: the next read or peek
     * returns them again. Polled on the reader slot, as a read is.
     *
     * @return the number of bytes, -1 at end of stream, or 0 if {@code dst} is full
     * @throws UnsupportedOperationException if {@link #peeks()} is false
     */
    default Poll<Integer> pollPeek(Context cx, ByteBuffer dst) throws IOException {
        throw NeedsOwnSockets.error("A peek that leaves the bytes in the socket", "the JDK's socket channels cannot receive with MSG_PEEK");
    }

    /**
     * The time-to-live of the packets this socket sends: {@code IP_TTL}, or for an IPv6 socket
     * {@code IPV6_UNICAST_HOPS}.
     *
     * @throws UnsupportedOperationException on a socket of the JDK's, which has no such option
     */
    default int ttl() throws IOException {
        throw NeedsOwnSockets.error("Reading IP_TTL", "the JDK has no socket option for it");
    }

    /**
     * Sets the time-to-live of the packets this socket sends (1 to 255).
     *
     * @throws UnsupportedOperationException on a socket of the JDK's, which has no such option
     */
    default void setTtl(int ttl) throws IOException {
        throw NeedsOwnSockets.error("Setting IP_TTL", "the JDK has no socket option for it");
    }

    /**
     * Takes the socket's pending error ({@code SO_ERROR}), clearing it: empty when there is none.
     *
     * @throws UnsupportedOperationException on a socket of the JDK's, which cannot read it
     */
    default Optional<IOException> takeError() throws IOException {
        throw NeedsOwnSockets.error("Taking SO_ERROR", "the JDK cannot read a socket's pending error");
    }

    /** Whether {@link #close()} has not been called. */
    boolean isOpen();

    /** Closes the socket once what was written is sent; idempotent. */
    void close() throws IOException;
}
