package dev.kyoto.io;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.spi.Coop;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One direction of {@link Io#copy}: read into a buffer, write all of it, read again.
 *
 * <p>The buffer is borrowed from a {@link BufferPool} for the read and given back once its bytes
 * are written, before the poll returns: a copy waiting for its reader holds no buffer, so an idle
 * connection costs no buffer memory. Only a write that must wait keeps the buffer, with the bytes
 * it has still to write, until a later poll writes them. Reading waits until the writer has taken
 * every byte of the previous read, so a slow writer stops the reads and the copy never holds more
 * than one buffer: the writer's pace (for a socket, the kernel's send buffer) is the copy's pace.
 *
 * <p>Each round of read-then-write spends one unit of the task's cooperative budget, so copying
 * between two always-ready streams (in memory, say) still lets the thread's other tasks run.
 *
 * <p>Relies on {@link AsyncRead#pollRead} keeping no reference to its buffer once it returns,
 * which that method's contract requires.
 */
final class Copy implements Async<Long> {
    private final AsyncRead reader;
    private final AsyncWrite writer;
    private final BufferPool pool;
    /**
     * Between polls: null, or the buffer whose position..limit are bytes read and not yet written
     * (never empty). Within a poll, the buffer the round reads into.
     */
    private ByteBuffer held;
    private long copied;

    Copy(AsyncRead reader, AsyncWrite writer, BufferPool pool) {
        this.reader = reader;
        this.writer = writer;
        this.pool = pool;
    }

    /** Bytes written so far. */
    long copied() {
        return copied;
    }

    @Override
    public Poll<Long> poll(Context cx) throws IOException {
        ByteBuffer buf = held;
        held = null;
        try {
            for (;;) {
                if (!Coop.proceed(cx)) {
                    return pending(buf);
                }
                boolean progressed = false;
                if (buf == null || !buf.hasRemaining()) {
                    if (buf == null) {
                        buf = pool.acquire();
                    } else {
                        buf.clear();
                    }
                    Poll<Integer> r;
                    try {
                        r = reader.pollRead(cx, buf);
                    } finally {
                        buf.flip();
                    }
                    if (r.isPending()) {
                        Coop.refund();
                        return pending(buf);
                    }
                    int n = r.value();
                    if (n < 0) {
                        return Poll.ready(copied);
                    }
                    if (n == 0) {
                        throw new IOException("the reader " + reader + " read 0 bytes into a buffer with "
                                + buf.capacity() + " bytes of room; AsyncRead.pollRead must read at least one byte, "
                                + "return -1 at end of stream, or return pending");
                    }
                    progressed = true;
                }
                while (buf.hasRemaining()) {
                    int wanted = buf.remaining();
                    Poll<Integer> w = writer.pollWrite(cx, buf);
                    if (w.isPending()) {
                        if (!progressed) {
                            Coop.refund();
                        }
                        return pending(buf);
                    }
                    int n = w.value();
                    if (n <= 0) {
                        throw new IOException("the writer " + writer + " wrote " + n + " of " + wanted
                                + " bytes; AsyncWrite.pollWrite must write at least one byte or return pending");
                    }
                    copied += n;
                    progressed = true;
                }
            }
        } finally {
            // Every path but a waiting write gives the buffer back: at end of stream, on a
            // failure, and when the reader must wait (the buffer is then empty).
            if (buf != null && held != buf) {
                pool.release(buf);
            }
        }
    }

    /** Keeps {@code buf} across the pending poll only if it holds bytes still to write. */
    private Poll<Long> pending(ByteBuffer buf) {
        if (buf != null && buf.hasRemaining()) {
            held = buf;
        }
        return Poll.pending();
    }

    @Override
    public String toString() {
        return "Copy[" + reader + " -> " + writer + ", " + copied + " bytes copied]";
    }
}
