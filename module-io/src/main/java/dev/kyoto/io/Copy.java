package dev.kyoto.io;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.spi.Coop;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One direction of {@link Io#copy}: read into the buffer, write all of it, read again.
 *
 * <p>The buffer is allocated once, with the copy; a poll allocates nothing until the copy
 * completes. Reading waits until the writer has taken every byte of the previous read, so a slow
 * writer stops the reads and the copy never holds more than one buffer: the writer's pace (for a
 * socket, the kernel's send buffer) is the copy's pace.
 *
 * <p>Each round of read-then-write spends one unit of the task's cooperative budget, so copying
 * between two always-ready streams (in memory, say) still lets the thread's other tasks run.
 */
final class Copy implements Async<Long> {
    private final AsyncRead reader;
    private final AsyncWrite writer;
    /** Between polls: position..limit are bytes read and not yet written. */
    private final ByteBuffer buf;
    private long copied;

    Copy(AsyncRead reader, AsyncWrite writer, int bufferSize) {
        this.reader = reader;
        this.writer = writer;
        this.buf = ByteBuffer.allocate(bufferSize).flip();
    }

    /** Bytes written so far. */
    long copied() {
        return copied;
    }

    @Override
    public Poll<Long> poll(Context cx) throws IOException {
        for (;;) {
            if (!Coop.proceed(cx)) {
                return Poll.pending();
            }
            boolean progressed = false;
            if (!buf.hasRemaining()) {
                buf.clear();
                Poll<Integer> r;
                try {
                    r = reader.pollRead(cx, buf);
                } finally {
                    buf.flip();
                }
                if (r.isPending()) {
                    Coop.refund();
                    return Poll.pending();
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
                    return Poll.pending();
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
    }

    @Override
    public String toString() {
        return "Copy[" + reader + " -> " + writer + ", " + copied + " bytes copied]";
    }
}
