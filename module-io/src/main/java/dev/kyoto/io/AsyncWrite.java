package dev.kyoto.io;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A sink of bytes written without blocking: Kyoto's sockets, and anything that stands in for
 * them (the test kit's scripted stream). Implement {@link #pollWrite}; the computations come with
 * it. At most one write may be in progress at a time.
 */
public interface AsyncWrite {

    /**
     * Writes from {@code src} if there is room.
     *
     * @return the number of bytes written (0 only if {@code src} is empty), or pending after
     *         arranging for {@code cx.waker()} to be woken
     * @throws IOException the write's failure
     */
    Poll<Integer> pollWrite(Context cx, ByteBuffer src) throws IOException;

    /** Writes from {@code src}: completes with the number of bytes written. */
    default Async<Integer> write(ByteBuffer src) {
        Objects.requireNonNull(src, "src");
        return cx -> pollWrite(cx, src);
    }

    /** Writes all of {@code src}. */
    default Async<Void> writeAll(ByteBuffer src) {
        return new WriteAll(this, Objects.requireNonNull(src, "src"));
    }

    /**
     * Writes from {@code srcs}, in order, if there is room. The default writes from the first
     * buffer that has bytes, as Tokio's default does; sockets override it with one gathering write.
     *
     * @return the number of bytes written (0 only if every buffer is empty), or pending
     * @throws IOException the write's failure
     */
    default Poll<Long> pollWriteVectored(Context cx, ByteBuffer[] srcs) throws IOException {
        for (ByteBuffer src : srcs) {
            if (src.hasRemaining()) {
                Poll<Integer> p = pollWrite(cx, src);
                return p.isPending() ? Poll.pending() : Poll.ready((long) p.value());
            }
        }
        return Poll.ready(0L);
    }

    /**
     * Writes from {@code srcs}, in order: completes with the number of bytes written, which may
     * be fewer than all of them.
     */
    default Async<Long> write(ByteBuffer[] srcs) {
        Objects.requireNonNull(srcs, "srcs");
        return cx -> pollWriteVectored(cx, srcs);
    }

    /**
     * Flushes: makes sure every byte written so far has left this writer for its destination.
     * A writer that buffers ({@link BufWriter}) writes its buffer out to the stream beneath, and
     * flushes that; callers that batch writes (a codec's writer, {@link Io#copy} when its reader
     * has nothing more for now) flush when a batch ends, so a peer is never left waiting for
     * bytes stuck in a buffer.
     *
     * <p>The default does nothing and is ready at once: right for a writer that buffers nothing.
     * A socket's write completes when its bytes are in the kernel's send buffer, so sockets keep
     * the default.
     *
     * @param cx the poll's context
     * @return ready once everything written has been flushed, or pending after arranging for
     *         {@code cx.waker()} to be woken
     * @throws IOException the flush's failure
     */
    default Poll<Void> pollFlush(Context cx) throws IOException {
        return Poll.ready(null);
    }

    /**
     * Flushes; see {@link #pollFlush}.
     *
     * @return a computation that completes once everything written has been flushed
     */
    default Async<Void> flush() {
        return this::pollFlush;
    }

    /**
     * Shuts the write half down: tells the peer that no more bytes will come, so that it reads
     * end of stream. A writer that buffers flushes first. Reading, where the writer is also a reader, goes on. Call it once every byte
     * has been written; a write after it fails.
     *
     * <p>The default does nothing and is ready at once: right for a sink with no peer to tell,
     * such as an in-memory buffer. A socket overrides it to half-close the connection (a TCP
     * {@code FIN}); {@link Io#copyBidirectional} relies on that to pass end of stream from one
     * side to the other, and a proxy whose writer keeps this default never lets its peer see the
     * end.
     *
     * <pre>{@code
     * rt.blockOn(stream.writeAll(ByteBuffer.wrap(request)).then(v -> stream.shutdown()));
     * }</pre>
     *
     * @param cx the poll's context
     * @return ready once the write half is shut down, or pending after arranging for
     *         {@code cx.waker()} to be woken
     * @throws IOException the shutdown's failure
     */
    default Poll<Void> pollShutdown(Context cx) throws IOException {
        return Poll.ready(null);
    }

    /**
     * Shuts the write half down; see {@link #pollShutdown}.
     *
     * @return a computation that completes once the write half is shut down
     */
    default Async<Void> shutdown() {
        return this::pollShutdown;
    }
}
