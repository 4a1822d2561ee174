package dev.kyoto.io;

import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Adds a buffer to any {@link AsyncWrite}: Tokio's {@code BufWriter}. Small writes are gathered in
 * the buffer and written to the inner stream together, in one system call, when the buffer is full
 * or when the writer is flushed; a write at least as large as the buffer goes straight through.
 *
 * <pre>{@code
 * BufWriter out = new BufWriter(socket);
 * rt.blockOn(out.writeAll(header)
 *         .then(v -> out.writeAll(body))
 *         .then(v -> out.flush()));          // one write to the socket, not two
 * }</pre>
 *
 * <p><b>Flush.</b> Bytes in the buffer reach the peer only when the buffer fills, or on
 * {@link #flush()} or {@link #shutdown()} (which flushes first). Forgetting to flush leaves the
 * peer waiting; {@link Io#copy} flushes for you whenever its reader runs dry.
 *
 * <p><b>Memory.</b> A writer of the default capacity borrows its {@value #DEFAULT_CAPACITY}-byte
 * buffer (direct, so a socket's write need not copy it again) from a pool when a write first
 * lands in it, and gives it back as soon as a flush has emptied it: an idle connection holds no
 * buffer. A writer of another capacity makes its own buffer on first use and keeps it.
 *
 * <p><b>Cancellation.</b> A write completes as soon as its bytes are in the buffer; a cancelled
 * flush leaves the bytes it did not write buffered, for the next. Like every {@code AsyncWrite},
 * a {@code BufWriter} serves one write at a time; it is not safe for use by several threads at once.
 */
public final class BufWriter implements AsyncWrite {
    /** The buffer size of {@link #BufWriter(AsyncWrite)}: Tokio's 8 KiB. */
    public static final int DEFAULT_CAPACITY = 8 * 1024;

    /** Where writers of {@link #DEFAULT_CAPACITY} borrow their buffer. */
    private static final BufferPool DEFAULT_BUFFERS = BufferPool.direct(DEFAULT_CAPACITY);

    private final AsyncWrite inner;
    private final int capacity;
    private final boolean pooled;
    /**
     * The buffer in write mode: {@code [0, position)} are bytes written here and not yet to the
     * inner stream, of which {@code [0, flushed)} have already gone out. Null while a pooled
     * writer holds nothing, or before an unpooled one's first write.
     */
    private ByteBuffer buf;
    private int flushed;

    /**
     * Wraps {@code inner} with a buffer of {@value #DEFAULT_CAPACITY} bytes.
     *
     * @param inner the stream to write to; from now on write it only through this writer
     */
    public BufWriter(AsyncWrite inner) {
        this(inner, DEFAULT_CAPACITY);
    }

    /**
     * Wraps {@code inner} with a buffer of {@code capacity} bytes.
     *
     * @param inner the stream to write to; from now on write it only through this writer
     * @param capacity the buffer's size in bytes, at least 1
     * @throws IllegalArgumentException if {@code capacity} is less than 1
     */
    public BufWriter(AsyncWrite inner, int capacity) {
        this.inner = Objects.requireNonNull(inner, "inner");
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1 byte, was " + capacity);
        }
        this.capacity = capacity;
        this.pooled = capacity == DEFAULT_CAPACITY;
    }

    /** {@return the stream this writer writes to} */
    public AsyncWrite inner() {
        return inner;
    }

    /** {@return the buffer's size in bytes} */
    public int capacity() {
        return capacity;
    }

    /** {@return how many bytes are buffered and not yet written to the inner stream} */
    public int buffered() {
        return buf == null ? 0 : buf.position() - flushed;
    }

    /**
     * Buffers {@code src}'s bytes, writing the buffer out first if they do not fit; a write of at
     * least the buffer's size goes straight to the inner stream once the buffer is empty.
     */
    @Override
    public Poll<Integer> pollWrite(Context cx, ByteBuffer src) throws IOException {
        int n = src.remaining();
        if (used() + n > capacity && pollFlushBuf(cx).isPending()) {
            return Poll.pending();
        }
        if (n >= capacity) {
            return inner.pollWrite(cx, src);
        }
        buffer().put(src);
        return Poll.ready(n);
    }

    /** Buffers all of {@code srcs} if they fit, or as {@link #pollWrite} does, the inner stream's gathering write. */
    @Override
    public Poll<Long> pollWriteVectored(Context cx, ByteBuffer[] srcs) throws IOException {
        long total = 0;
        for (ByteBuffer src : srcs) {
            total += src.remaining();
        }
        if (used() + total > capacity && pollFlushBuf(cx).isPending()) {
            return Poll.pending();
        }
        if (total >= capacity) {
            return inner.pollWriteVectored(cx, srcs);
        }
        ByteBuffer b = buffer();
        for (ByteBuffer src : srcs) {
            b.put(src);
        }
        return Poll.ready(total);
    }

    /** Writes the buffer out, then flushes the inner stream. */
    @Override
    public Poll<Void> pollFlush(Context cx) throws IOException {
        if (pollFlushBuf(cx).isPending()) {
            return Poll.pending();
        }
        return inner.pollFlush(cx);
    }

    /** Writes the buffer out, then shuts the inner stream's write half down. */
    @Override
    public Poll<Void> pollShutdown(Context cx) throws IOException {
        if (pollFlushBuf(cx).isPending()) {
            return Poll.pending();
        }
        return inner.pollShutdown(cx);
    }

    /** Whether the writer holds a buffer now; a pooled one holds none while empty. */
    boolean holdsBuffer() {
        return buf != null;
    }

    @Override
    public String toString() {
        return "BufWriter[" + inner + ", " + buffered() + " of " + capacity + " bytes buffered]";
    }

    /** The room taken in the buffer, by bytes not yet written and those a partial write already took. */
    private int used() {
        return buf == null ? 0 : buf.position();
    }

    private ByteBuffer buffer() {
        if (buf == null) {
            buf = pooled ? DEFAULT_BUFFERS.acquire() : ByteBuffer.allocateDirect(capacity);
        }
        return buf;
    }

    /** Writes the buffered bytes to the inner stream, without flushing it. */
    private Poll<Void> pollFlushBuf(Context cx) throws IOException {
        if (buf == null) {
            return Poll.ready(null);
        }
        int end = buf.position();
        while (flushed < end) {
            // The buffer itself, read from flushed to end, then put back in write mode below.
            ByteBuffer out = buf.limit(end).position(flushed);
            Poll<Integer> w;
            try {
                w = inner.pollWrite(cx, out);
            } finally {
                buf.limit(buf.capacity()).position(end);
            }
            if (w.isPending()) {
                return Poll.pending();
            }
            if (w.value() <= 0) {
                throw new IOException("the writer " + inner + " wrote " + w.value() + " of " + (end - flushed)
                        + " bytes; AsyncWrite.pollWrite must write at least one byte or return pending");
            }
            flushed += w.value();
        }
        flushed = 0;
        buf.clear();
        if (pooled) {
            // Empty: hold nothing while the connection is idle.
            DEFAULT_BUFFERS.release(buf);
            buf = null;
        }
        return Poll.ready(null);
    }
}
