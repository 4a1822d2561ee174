package dev.kyoto.codec;

import dev.kyoto.io.AsyncWrite;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Writes frames to an {@link AsyncWrite} with an {@link Encoder}: {@code tokio-util}'s
 * {@code FramedWrite}. Use it alone for a stream one only writes (or whose reading another task
 * does, through a {@link FramedRead}); {@link Framed} combines both sides.
 *
 * <pre>{@code
 * FramedWrite<String> out = new FramedWrite<>(socket, new LinesCodec(1024));
 * rt.blockOn(out.feed("first").then(v -> out.feed("second")).then(v -> out.flush()));  // one write
 * }</pre>
 *
 * <h2>Batching and backpressure</h2>
 * {@link #feed} encodes a frame into the write buffer and writes nothing while the buffer holds
 * less than {@value #BACKPRESSURE_BOUNDARY} bytes; {@link #flush} writes the buffer out, then
 * flushes the stream. So frames fed one after another leave in one system call per batch,
 * however many there are. Once the buffer reaches the boundary, {@code feed} first writes it out,
 * waiting for the stream as long as it must: a peer that does not read stops the writer, and the
 * writer holds at most the boundary plus one frame. {@link #send} is {@code feed} then
 * {@code flush}.
 *
 * <h2>Cancellation and failures</h2>
 * A frame is in the buffer once the {@code feed} that took it has completed; a cancelled
 * {@code feed} did not take its frame. A cancelled {@code flush} leaves the bytes it did not write
 * in the buffer for the next one. An encoder's failure leaves the buffer as it was (for the
 * encoders of this package; see {@link Encoder#encode}). A write failure is the stream's: the
 * bytes not written stay buffered, and are of no use on most streams.
 *
 * <p>One write at a time, from one task at a time.
 *
 * @param <T> the frame's type
 */
public final class FramedWrite<T> implements AutoCloseable {
    /**
     * How many buffered bytes make {@link #feed} write before it encodes: 8 KiB, as in
     * {@code tokio-util}.
     */
    public static final int BACKPRESSURE_BOUNDARY = WriteBuffer.POOLED_SIZE;

    private final AsyncWrite inner;
    private final Encoder<? super T> encoder;
    private final WriteBuffer buffer = new WriteBuffer();

    /**
     * @param inner the stream; write it only through this writer from now on
     * @param encoder the protocol's encoder
     */
    public FramedWrite(AsyncWrite inner, Encoder<? super T> encoder) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.encoder = Objects.requireNonNull(encoder, "encoder");
    }

    /**
     * Encodes {@code frame} into the write buffer, first writing the buffer out if it holds
     * {@value #BACKPRESSURE_BOUNDARY} bytes or more. Nothing else is written: follow with
     * {@link #flush} (or use {@link #send}) for the peer to see the frame.
     *
     * @param frame the frame
     * @return a computation that completes once the frame is in the buffer, or fails with the
     *         encoder's or the stream's failure
     */
    public Async<Void> feed(T frame) {
        Objects.requireNonNull(frame, "frame");
        return new Async<>() {
            private boolean fed;

            @Override
            public Poll<Void> poll(Context cx) throws IOException {
                if (!fed) {
                    if (pollFeed(cx, frame).isPending()) {
                        return Poll.pending();
                    }
                    fed = true;
                }
                return Poll.ready(null);
            }
        };
    }

    /**
     * Encodes {@code frame} into the write buffer if it has room, as {@link #feed} does, without
     * making a computation: for a connection loop written as an {@code Async} of its own, which
     * then allocates nothing per frame.
     *
     * @param cx the poll's context
     * @param frame the frame
     * @return ready once the frame is in the buffer; pending, with nothing encoded, while the
     *         buffer is being written out (poll again with the same frame when woken)
     * @throws IOException the encoder's or the stream's failure
     */
    public Poll<Void> pollFeed(Context cx, T frame) throws IOException {
        if (pollReady(cx).isPending()) {
            return Poll.pending();
        }
        encoder.encode(frame, buffer);
        return Poll.ready(null);
    }

    /**
     * Encodes {@code frame} into the write buffer, then writes the buffer out and flushes the stream.
     *
     * @param frame the frame
     * @return a computation that completes once the frame has been written and the stream flushed
     */
    public Async<Void> send(T frame) {
        return feed(frame).then(v -> flush());
    }

    /**
     * Writes out everything buffered, then flushes the stream ({@link AsyncWrite#pollFlush}).
     *
     * @return a computation that completes once both are done
     */
    public Async<Void> flush() {
        return this::pollFlush;
    }

    /**
     * Flushes ({@link #flush}), then shuts the stream's write half down
     * ({@link AsyncWrite#pollShutdown}), so that the peer reads end of stream after the last frame.
     *
     * @return a computation that completes once the stream is shut down
     */
    public Async<Void> shutdown() {
        return cx -> pollFlush(cx).isPending() ? Poll.pending() : inner.pollShutdown(cx);
    }

    /**
     * Writes out everything buffered, then flushes the stream.
     *
     * @param cx the poll's context
     * @return ready once done, or pending after arranging for {@code cx.waker()} to be woken
     * @throws IOException the stream's failure
     */
    public Poll<Void> pollFlush(Context cx) throws IOException {
        if (pollWriteBuffer(cx).isPending()) {
            return Poll.pending();
        }
        return inner.pollFlush(cx);
    }

    /** {@return how many bytes are buffered and not yet written} */
    public int buffered() {
        return buffer.size();
    }

    /** {@return the stream this writer writes} */
    public AsyncWrite inner() {
        return inner;
    }

    /**
     * Drops what is buffered and closes the stream, if it is {@link AutoCloseable}: bytes not yet
     * flushed are lost (flush or shut down first).
     *
     * @throws Exception the stream's close failure
     */
    @Override
    public void close() throws Exception {
        discard();
        if (inner instanceof AutoCloseable c) {
            c.close();
        }
    }

    @Override
    public String toString() {
        return "FramedWrite[" + inner + ", " + buffered() + " bytes buffered]";
    }

    /** Ready once the buffer is below the boundary, writing it out if it is not. */
    Poll<Void> pollReady(Context cx) throws IOException {
        if (buffer.size() < BACKPRESSURE_BOUNDARY) {
            return Poll.ready(null);
        }
        return pollWriteBuffer(cx);
    }

    /** Writes the buffer out, without flushing the stream. */
    Poll<Void> pollWriteBuffer(Context cx) throws IOException {
        while (!buffer.isEmpty()) {
            ByteBuffer out = buffer.pending();
            Poll<Integer> w = inner.pollWrite(cx, out);
            if (w.isPending()) {
                return Poll.pending();
            }
            int n = w.value();
            if (n == 0) {
                throw new IOException("the writer " + inner + " wrote 0 of " + out.remaining()
                        + " bytes; AsyncWrite.pollWrite must write at least one byte or return pending");
            }
            buffer.written(n);
        }
        return Poll.ready(null);
    }

    /** Drops what is buffered, giving its memory back. */
    void discard() {
        if (!buffer.isEmpty()) {
            buffer.written(buffer.size());
        }
    }

    /** Whether the write buffer holds an array now; it holds none while empty. */
    boolean holdsBuffer() {
        return buffer.holdsMemory();
    }

    /** Whether frames are buffered and not written. */
    boolean hasBuffered() {
        return !buffer.isEmpty();
    }
}
