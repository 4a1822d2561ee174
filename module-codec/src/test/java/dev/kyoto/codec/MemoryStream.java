package dev.kyoto.codec;

import dev.kyoto.io.AsyncRead;
import dev.kyoto.io.AsyncWrite;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * An in-memory peer: reads serve queued chunks (one read never spans two, so a test cuts the
 * stream where it likes), optionally answering every other read with a pending that wakes at once;
 * with no chunk queued a read is pending until {@link #end()} or another chunk; writes are recorded
 * one by one, so a test can count the writes a batch took.
 */
final class MemoryStream implements AsyncRead, AsyncWrite {
    private final ArrayDeque<ByteBuffer> chunks = new ArrayDeque<>();
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private boolean ended;
    private boolean stutter;
    private boolean stutterNow;
    private int writes;
    private int flushes;
    private int shutdowns;
    private int reads;

    MemoryStream chunk(byte[] bytes) {
        chunks.add(ByteBuffer.wrap(bytes.clone()));
        return this;
    }

    MemoryStream end() {
        ended = true;
        return this;
    }

    /** Every other read is pending, waking its waker at once. */
    MemoryStream stutter() {
        stutter = true;
        return this;
    }

    byte[] written() {
        return written.toByteArray();
    }

    int writes() {
        return writes;
    }

    int flushes() {
        return flushes;
    }

    int shutdowns() {
        return shutdowns;
    }

    int reads() {
        return reads;
    }

    @Override
    public Poll<Integer> pollRead(Context cx, ByteBuffer dst) {
        if (stutter && (stutterNow = !stutterNow)) {
            cx.waker().wake();
            return Poll.pending();
        }
        ByteBuffer c = chunks.peek();
        if (c == null) {
            return ended ? Poll.ready(-1) : Poll.pending();
        }
        int n = Math.min(c.remaining(), dst.remaining());
        dst.put(dst.position(), c, c.position(), n);
        dst.position(dst.position() + n);
        c.position(c.position() + n);
        if (!c.hasRemaining()) {
            chunks.poll();
        }
        reads++;
        return Poll.ready(n);
    }

    @Override
    public Poll<Integer> pollWrite(Context cx, ByteBuffer src) {
        int n = src.remaining();
        byte[] b = new byte[n];
        src.get(b);
        written.writeBytes(b);
        writes++;
        return Poll.ready(n);
    }

    @Override
    public Poll<Void> pollFlush(Context cx) {
        flushes++;
        return Poll.ready(null);
    }

    @Override
    public Poll<Void> pollShutdown(Context cx) {
        shutdowns++;
        return Poll.ready(null);
    }

    @Override
    public String toString() {
        return "MemoryStream";
    }
}
