package dev.kyoto.io;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.spi.Coop;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One direction of {@link Io#copy}: read, write all of it, read again.
 *
 * <p>A round reads the way Netty's event loop does: while each read fills its buffer, the reader
 * likely holds more, so the round reads on into further buffers, up to {@link #MAX_BATCH}, and
 * then writes them all with one gathering write ({@link AsyncWrite#pollWriteVectored}). A stream
 * then costs one write system call per batch instead of one per buffer, and wakes the peer that
 * reads it that much less often; small messages take one read and one write, as before.
 *
 * <p>The buffers are borrowed from a {@link BufferPool} for the round and given back once their
 * bytes are written, before the poll returns: a copy waiting for its reader holds no buffer, so an
 * idle connection costs no buffer memory. Only a write that must wait keeps the round's buffers,
 * with the bytes still to write, until a later poll writes them. Reading waits until the writer
 * has taken every byte of the round, so a copy never holds more than {@link #MAX_BATCH} buffers:
 * the writer's pace (for a socket, the kernel's send buffer) is the copy's pace.
 *
 * <p>Each round spends one unit of the task's cooperative budget, so copying between two
 * always-ready streams (in memory, say) still lets the thread's other tasks run.
 *
 * <p>Relies on {@link AsyncRead#pollRead} keeping no reference to its buffer once it returns,
 * which that method's contract requires.
 */
final class Copy implements Async<Long> {
    /** The most buffers one round reads before it writes: Netty reads up to 16 times; 4 × 64 KiB bound what a copy holds. */
    static final int MAX_BATCH = 4;
    private static final int PENDING = -2;

    private final AsyncRead reader;
    private final AsyncWrite writer;
    private final BufferPool pool;
    /**
     * {@code batch[0, count)}: the round's buffers, flipped, in the order read; their remaining
     * bytes are read and not yet written (the first ones may be drained already). Between polls
     * {@code count} is 0 unless a write waits.
     */
    private final ByteBuffer[] batch = new ByteBuffer[MAX_BATCH];
    /**
     * {@code gather[k]}: an array of length {@code k} that a gathering write of {@code k} buffers
     * is given, refilled from {@code batch} before each such write, so that writing a batch
     * allocates nothing; made on first use. Between writes it may still name buffers already given
     * back, which it never touches again before it is refilled.
     */
    private final ByteBuffer[][] gather = new ByteBuffer[MAX_BATCH + 1][];
    private int count;
    /** The reader reached end of stream: done once the round is written and the writer flushed. */
    private boolean ended;
    /** Bytes were written since the writer was last flushed. */
    private boolean unflushed;
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
        try {
            for (;;) {
                if (!Coop.proceed(cx)) {
                    return Poll.pending();
                }
                boolean progressed = false;
                if (count == 0) {
                    if (ended) {
                        return pollFlush(cx).isPending() ? Poll.pending() : Poll.ready(copied);
                    }
                    int n = read(cx);
                    if (n == PENDING) {
                        // The reader has nothing more for now: a buffering writer must not sit on
                        // what it holds while the copy waits (Tokio's copy flushes here too).
                        pollFlush(cx);
                        Coop.refund();
                        return Poll.pending();
                    }
                    if (n < 0) {
                        ended = true;
                        continue;
                    }
                    while (count < MAX_BATCH && isFull(batch[count - 1])) {
                        int more = read(cx);
                        if (more == PENDING) {
                            break;
                        }
                        if (more < 0) {
                            ended = true;
                            break;
                        }
                    }
                    progressed = true;
                }
                while (count > 0) {
                    long n;
                    if (count == 1) {
                        Poll<Integer> w = writer.pollWrite(cx, batch[0]);
                        n = w.isPending() ? PENDING : w.value();
                    } else {
                        Poll<Long> w = writer.pollWriteVectored(cx, gathered());
                        n = w.isPending() ? PENDING : w.value();
                    }
                    if (n == PENDING) {
                        if (!progressed) {
                            Coop.refund();
                        }
                        return Poll.pending();
                    }
                    if (n <= 0) {
                        // Nothing was written, so what remains is what the writer was offered.
                        throw new IOException("the writer " + writer + " wrote " + n + " of " + remaining() + " bytes; AsyncWrite."
                                + (count == 1 ? "pollWrite" : "pollWriteVectored")
                                + " must write at least one byte or return pending");
                    }
                    copied += n;
                    unflushed = true;
                    progressed = true;
                    if (!batch[count - 1].hasRemaining()) {
                        releaseAll();
                    }
                }
            }
        } catch (Throwable failure) {
            // A failed copy is done: its buffers go back (bytes read and not written are lost).
            releaseAll();
            throw failure;
        }
    }

    /** Flushes the writer if bytes were written since its last flush. */
    private Poll<Void> pollFlush(Context cx) throws IOException {
        if (unflushed) {
            if (writer.pollFlush(cx).isPending()) {
                return Poll.pending();
            }
            unflushed = false;
        }
        return Poll.ready(null);
    }

    /**
     * Reads into a borrowed buffer, appended to the batch if it got bytes.
     *
     * @return the bytes read, -1 at end of stream, or {@link #PENDING}; the buffer is given back
     *     unless bytes were read
     */
    private int read(Context cx) throws IOException {
        ByteBuffer b = pool.acquire();
        Poll<Integer> r;
        try {
            r = reader.pollRead(cx, b);
        } catch (Throwable failure) {
            pool.release(b);
            throw failure;
        }
        int n = r.isPending() ? PENDING : r.value();
        if (n <= 0) {
            pool.release(b);
            if (n == 0) {
                throw new IOException("the reader " + reader + " read 0 bytes into a buffer with "
                        + b.capacity() + " bytes of room; AsyncRead.pollRead must read at least one byte, "
                        + "return -1 at end of stream, or return pending");
            }
            return n;
        }
        batch[count++] = b.flip();
        return n;
    }

    /** The batch's buffers in an array of exactly their number, for a gathering write. */
    private ByteBuffer[] gathered() {
        ByteBuffer[] g = gather[count];
        if (g == null) {
            g = new ByteBuffer[count];
            gather[count] = g;
        }
        System.arraycopy(batch, 0, g, 0, count);
        return g;
    }

    private static boolean isFull(ByteBuffer flipped) {
        return flipped.limit() == flipped.capacity();
    }

    private long remaining() {
        long n = 0;
        for (int i = 0; i < count; i++) {
            n += batch[i].remaining();
        }
        return n;
    }

    private void releaseAll() {
        for (int i = 0; i < count; i++) {
            pool.release(batch[i]);
            batch[i] = null;
        }
        count = 0;
    }

    @Override
    public String toString() {
        return "Copy[" + reader + " -> " + writer + ", " + copied + " bytes copied]";
    }
}
