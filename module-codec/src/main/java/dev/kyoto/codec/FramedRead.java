package dev.kyoto.codec;

import dev.kyoto.io.AsyncRead;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Reads frames from an {@link AsyncRead} with a {@link Decoder}: {@code tokio-util}'s
 * {@code FramedRead}. Use it alone for a stream one only reads (or whose writing another task
 * does, through a {@link FramedWrite}); {@link Framed} combines both sides.
 *
 * <pre>{@code
 * FramedRead<String> lines = new FramedRead<>(socket, new LinesCodec(1024));
 * Async<Void> printAll() {
 *     return lines.next().then(line -> {
 *         if (line == null) return Async.ready(null);   // the peer closed the stream
 *         System.out.println(line);
 *         return printAll();
 *     });
 * }
 * }</pre>
 *
 * <h2>Buffering and limits</h2>
 * The reader keeps the bytes it has read and not yet decoded in a buffer, reads the stream only
 * when the decoder asks for more, and offers the decoder everything buffered after each read. The
 * buffer is borrowed from a pool of {@value WriteBuffer#POOLED_SIZE}-byte arrays while it holds
 * bytes and given back when it is empty and the stream has nothing to read, so an idle connection
 * holds none. It grows for a frame longer than that, up to {@code maxFrameLength} undecoded
 * bytes: a decoder that still asks for more then fails the read with a
 * {@link FrameTooLongException}, so a peer cannot make the reader buffer without bound whatever
 * the decoder does. Codecs that know a frame's length from its header fail earlier, with their
 * own limit.
 *
 * <h2>Cancellation and failures</h2>
 * {@link #next()} is cancel-safe: the bytes read so far stay buffered, and the next call goes on
 * from them. A decoder's failure consumes nothing: calling {@code next()} again offers it the same
 * bytes. End of stream inside a frame fails with an {@link java.io.EOFException}.
 *
 * <p>One read at a time, from one task at a time.
 *
 * @param <T> the frame's type
 */
public final class FramedRead<T> implements AutoCloseable {
    /**
     * The default for {@code maxFrameLength}: 16 MiB, twice the codecs' default limit, so that a
     * codec's own limit, which it checks as soon as it reads a header, applies first.
     */
    public static final int DEFAULT_MAX_FRAME_LENGTH = 16 * 1024 * 1024;

    private static final byte[] EMPTY = new byte[0];

    private final AsyncRead inner;
    private final Decoder<? extends T> decoder;
    private final int maxFrameLength;
    /** The buffer; {@code EMPTY} while nothing is buffered and nothing is borrowed. */
    private byte[] buf = EMPTY;
    /** Over {@code buf} when it came from the pool, else null. */
    private ByteBuffer pooled;
    /** Over {@code buf}: what the decoder sees and where reads land; made once per array. */
    private ByteBuffer view;
    /** buf[pos, end) are the bytes read and not yet decoded. */
    private int pos;
    private int end;
    /** Whether bytes arrived since the decoder last returned null: only then is it asked again. */
    private boolean undecoded;
    /** Whether the stream has ended: from then on only {@link Decoder#decodeEof} is asked. */
    private boolean eof;

    /**
     * Reads frames of at most {@value #DEFAULT_MAX_FRAME_LENGTH} bytes.
     *
     * @param inner the stream; read it only through this reader from now on
     * @param decoder the protocol's decoder
     */
    public FramedRead(AsyncRead inner, Decoder<? extends T> decoder) {
        this(inner, decoder, DEFAULT_MAX_FRAME_LENGTH);
    }

    /**
     * Reads frames of at most {@code maxFrameLength} undecoded bytes.
     *
     * @param inner the stream; read it only through this reader from now on
     * @param decoder the protocol's decoder
     * @param maxFrameLength the most bytes the reader buffers for one frame, at least 1
     * @throws IllegalArgumentException if {@code maxFrameLength} is less than 1 or more than
     *         {@link WriteBuffer#MAX_SIZE}
     */
    public FramedRead(AsyncRead inner, Decoder<? extends T> decoder, int maxFrameLength) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.decoder = Objects.requireNonNull(decoder, "decoder");
        if (maxFrameLength < 1 || maxFrameLength > WriteBuffer.MAX_SIZE) {
            throw new IllegalArgumentException("maxFrameLength must be between 1 and " + WriteBuffer.MAX_SIZE + " bytes, was " + maxFrameLength);
        }
        this.maxFrameLength = maxFrameLength;
    }

    /**
     * Reads the next frame.
     *
     * @return a computation that completes with the frame, or with null once the stream has ended
     *         cleanly (and again with null for every later call)
     */
    public Async<T> next() {
        return this::pollNext;
    }

    /**
     * Decodes the next frame from the bytes buffered, reading the stream when they hold none.
     *
     * @param cx the poll's context
     * @return the frame; null once the stream has ended cleanly; or pending after arranging for
     *         {@code cx.waker()} to be woken
     * @throws IOException the stream's or the decoder's failure
     */
    public Poll<T> pollNext(Context cx) throws IOException {
        while (true) {
            T frame = tryDecode();
            if (frame != null) {
                return Poll.ready(frame);
            }
            if (eof) {
                return Poll.ready(null);
            }
            Poll<Integer> r = pollMore(cx);
            if (r.isPending()) {
                return Poll.pending();
            }
            if (r.value() < 0) {
                eof = true;
                undecoded = true;
            }
        }
    }

    /**
     * Decodes the next frame from the bytes already buffered, without reading the stream.
     *
     * @return the frame, or null if the buffered bytes hold no whole frame (or the stream has ended)
     * @throws IOException the decoder's failure
     */
    public T nextBuffered() throws IOException {
        return eof ? null : tryDecode();
    }

    /** {@return how many bytes are buffered and not yet decoded} */
    public int buffered() {
        return end - pos;
    }

    /** {@return the stream this reader reads} */
    public AsyncRead inner() {
        return inner;
    }

    /**
     * Gives the buffer back and closes the stream, if it is {@link AutoCloseable}.
     *
     * @throws Exception the stream's close failure
     */
    @Override
    public void close() throws Exception {
        release();
        if (inner instanceof AutoCloseable c) {
            c.close();
        }
    }

    /** Whether the reader holds a buffer now; it holds none while nothing is buffered and the stream is quiet. */
    boolean holdsBuffer() {
        return buf != EMPTY;
    }

    @Override
    public String toString() {
        return "FramedRead[" + inner + ", " + buffered() + " bytes buffered" + (eof ? ", ended" : "") + "]";
    }

    private T tryDecode() throws IOException {
        if (!undecoded) {
            return null;
        }
        ByteBuffer src = view();
        T frame = eof ? decoder.decodeEof(src) : decoder.decode(src);
        int consumed = src.position() - pos;
        if (frame == null) {
            if (consumed != 0) {
                throw new IllegalStateException("the decoder " + decoder + " returned null after consuming " + consumed
                        + " bytes; a decoder must consume nothing until it returns a frame");
            }
            if (end - pos >= maxFrameLength) {
                throw new FrameTooLongException("the decoder " + decoder + " found no whole frame in the bytes buffered",
                        end - pos, maxFrameLength);
            }
            undecoded = false;
            return null;
        }
        pos += consumed;
        if (pos == end) {
            pos = 0;
            end = 0;
            if (buf.length > WriteBuffer.POOLED_SIZE) {
                // A long frame made the buffer grow; give the memory back now that it is empty.
                buf = EMPTY;
                view = null;
            }
        }
        return frame;
    }

    private ByteBuffer view() {
        if (view == null) {
            view = ByteBuffer.wrap(buf);
        }
        return view.limit(end).position(pos);
    }

    /** Reads the stream once into the room after the buffered bytes, making room first. */
    private Poll<Integer> pollMore(Context cx) throws IOException {
        if (buf == EMPTY) {
            pooled = WriteBuffer.POOL.acquire();
            buf = pooled.array();
            view = null;
        }
        if (end == buf.length) {
            makeRoom();
        }
        ByteBuffer dst = view().limit(buf.length).position(end);
        Poll<Integer> r = inner.pollRead(cx, dst);
        if (r.isPending()) {
            if (end == 0) {
                release();
            }
            return r;
        }
        int n = r.value();
        if (n == 0) {
            throw new IOException("the reader " + inner + " read 0 bytes into a buffer with " + (buf.length - end)
                    + " bytes of room; AsyncRead.pollRead must read at least one byte, return -1 at end of stream, or return pending");
        }
        if (n > 0) {
            end += n;
            undecoded = true;
        }
        return r;
    }

    /** Moves the buffered bytes to the front, or grows the buffer; they are fewer than the limit. */
    private void makeRoom() {
        int held = end - pos;
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, held);
        } else {
            byte[] bigger = new byte[(int) Math.min(maxFrameLength, 2L * buf.length)];
            System.arraycopy(buf, 0, bigger, 0, held);
            if (pooled != null) {
                WriteBuffer.POOL.release(pooled);
                pooled = null;
            }
            buf = bigger;
            view = null;
        }
        pos = 0;
        end = held;
    }

    /** Gives the buffer back, dropping the bytes not decoded. */
    void release() {
        if (pooled != null) {
            WriteBuffer.POOL.release(pooled);
            pooled = null;
        }
        buf = EMPTY;
        view = null;
        pos = 0;
        end = 0;
    }
}
