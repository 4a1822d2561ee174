package dev.kyoto.io.spi;

import dev.kyoto.io.AsyncRead;
import dev.kyoto.io.AsyncWrite;
import dev.kyoto.io.Interest;
import dev.kyoto.io.Ready;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;

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

    /** The local address. */
    InetSocketAddress localAddress() throws IOException;

    /** The peer's address. */
    InetSocketAddress remoteAddress() throws IOException;

    /** Whether {@link #close()} has not been called. */
    boolean isOpen();

    /** Closes the socket once what was written is sent; idempotent. */
    void close() throws IOException;
}
