package dev.kyoto.io;

import dev.kyoto.runtime.Async;
import java.util.Objects;

/**
 * Moving bytes between any two Kyoto streams: Tokio's {@code io::copy} and
 * {@code io::copy_bidirectional}.
 *
 * <pre>{@code
 * // A TCP proxy: every byte from the client to the server and back, until both sides are done.
 * Async<Void> proxy(TcpStream client, TcpStream server) {
 *     return Io.copyBidirectional(client, server)
 *             .map(c -> { log.info("{} bytes up, {} down", c.aToB(), c.bToA()); return null; });
 * }
 * }</pre>
 *
 * <h2>Memory and backpressure</h2>
 * A copy borrows buffers of {@value #COPY_BUFFER_SIZE} bytes from {@link BufferPool#shared()}
 * (direct, so a socket's bytes are not copied through the JDK's temporary buffer) for each round
 * of reads, and gives them back as soon as the bytes are written: while it waits for its reader,
 * a copy holds no buffer, so a thousand idle connections being copied cost no buffer memory. A
 * round reads as Netty's event loop does: while each read fills its buffer it reads on, into at
 * most {@value #COPY_MAX_READ_AHEAD} bytes in all, and writes them with one gathering write, so a
 * stream costs one write system call per batch. It reads again only after the writer has taken
 * every byte of the round, so it never holds more than that: a writer that is slow, or a peer
 * that does not read, stops the copy reading, and the bytes wait in the kernel of the sending
 * side instead of in this process. Whenever the reader has nothing more for now, and at the end,
 * the copy flushes its writer ({@link AsyncWrite#pollFlush}), so a {@link BufWriter} never holds
 * back bytes the peer is waiting for; a socket's flush does nothing, so copying between sockets
 * costs no extra system call.
 *
 * <p>An echo server's whole connection handler is one copy of a socket into itself:
 *
 * <pre>{@code
 * Async<Long> echo(TcpStream s) {
 *     return Io.copy(s, s);
 * }
 * }</pre>
 *
 * <h2>Cancellation</h2>
 * A copy keeps no waker of its own and spawns nothing: cancelling it ({@link Async#cancel}) leaves
 * nothing behind, and the reader and writer can be used again at once. The only wakers are those
 * the reader and writer keep for their last poll, which the next poll of each replaces. Bytes that
 * were read but not yet written when the copy was cancelled (or failed) are lost: a copy is not
 * cancel-safe, as in Tokio. A buffer a cancelled copy held for a waiting write is not given back
 * to its pool; the collector frees it.
 */
public final class Io {
    /**
     * The size in bytes of the buffer a copy borrows for each read: the shared pool's, 64 KiB,
     * the largest read Netty's adaptive allocator makes (Tokio's copy owns 8 KiB; a larger read
     * halves the system calls of a streaming copy, and the buffer is held only while it is in use).
     */
    public static final int COPY_BUFFER_SIZE = BufferPool.DEFAULT_BUFFER_SIZE;

    /**
     * The most bytes a copy reads before the writer has taken them: four buffers of
     * {@value #COPY_BUFFER_SIZE} bytes, read one after another while each read fills its buffer,
     * then written with one gathering write.
     */
    public static final int COPY_MAX_READ_AHEAD = Copy.MAX_BATCH * COPY_BUFFER_SIZE;

    private Io() {
    }

    /**
     * Copies everything {@code reader} produces into {@code writer}, until the reader's end of
     * stream.
     *
     * <pre>{@code
     * long n = rt.blockOn(Io.copy(socket, fileSink));
     * }</pre>
     *
     * <p>The writer is not shut down at the end: the caller may still have more to write.
     *
     * @param reader the source; read until it returns -1
     * @param writer the sink; every byte read is written to it, in order
     * @return a computation that completes with the number of bytes copied, or fails with the
     *         first failure of either side (and then stops; the bytes read but not yet written are
     *         lost)
     */
    public static Async<Long> copy(AsyncRead reader, AsyncWrite writer) {
        return copy(reader, writer, BufferPool.shared());
    }

    /**
     * Copies as {@link #copy(AsyncRead, AsyncWrite)} does, borrowing the buffers from
     * {@code pool} instead of the shared pool of direct buffers.
     *
     * @param reader the source; read until it returns -1
     * @param writer the sink; every byte read is written to it, in order
     * @param pool where each read's buffer comes from; its buffer size is the largest read
     * @return a computation that completes with the number of bytes copied, or fails with the
     *         first failure of either side
     */
    public static Async<Long> copy(AsyncRead reader, AsyncWrite writer, BufferPool pool) {
        Objects.requireNonNull(reader, "reader");
        Objects.requireNonNull(writer, "writer");
        return new Copy(reader, writer, Objects.requireNonNull(pool, "pool"));
    }

    /**
     * Copies {@code a} into {@code b} and {@code b} into {@code a} at the same time, in one
     * computation, until both directions are done.
     *
     * <p>When one side reaches end of stream, the copy finishes writing what it read from it and
     * then shuts the other side's output down ({@link AsyncWrite#pollShutdown}), so that the other
     * side's peer reads end of stream too; the opposite direction goes on until its own end of
     * stream. A stream whose {@code pollShutdown} is the default no-op never lets its peer see
     * the end, and a proxy between such streams may then wait for ever.
     *
     * <pre>{@code
     * Io.Copied c = rt.blockOn(Io.copyBidirectional(inbound, outbound));
     * }</pre>
     *
     * @param a one side, whose bytes go to {@code b}
     * @param b the other side, whose bytes go to {@code a}
     * @param <A> the type of {@code a}: a reader and a writer, such as a {@code TcpStream}
     * @param <B> the type of {@code b}
     * @return a computation that completes with the bytes copied each way once both directions
     *         have reached end of stream and shut their writer down, or fails at the first
     *         failure of either direction (the other direction then stops too)
     */
    public static <A extends AsyncRead & AsyncWrite, B extends AsyncRead & AsyncWrite> Async<Copied> copyBidirectional(A a, B b) {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
        return new CopyBidirectional(a, a, b, b, BufferPool.shared());
    }

    /**
     * What {@link #copyBidirectional} moved.
     *
     * @param aToB bytes read from {@code a} and written to {@code b}
     * @param bToA bytes read from {@code b} and written to {@code a}
     */
    public record Copied(long aToB, long bToA) {
    }
}
