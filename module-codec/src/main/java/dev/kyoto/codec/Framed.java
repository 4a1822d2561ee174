package dev.kyoto.codec;

import dev.kyoto.io.AsyncRead;
import dev.kyoto.io.AsyncWrite;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.util.Objects;

/**
 * Frames in both directions over one stream: {@code tokio-util}'s {@code Framed}, a
 * {@link FramedRead} and a {@link FramedWrite} over the same socket, for a protocol spoken
 * request by reply.
 *
 * <pre>{@code
 * // A line-based echo server's connection handler.
 * Async<Void> serve(TcpStream socket) {
 *     Framed<String> lines = Framed.of(socket, new LinesCodec(8192));
 *     return Async.using(lines, f -> Async.loop(() -> f.next().then(line ->
 *             line == null ? Async.ready(false) : f.feed(line).map(v -> true))));
 * }
 * }</pre>
 *
 * <h2>Replies go out in batches</h2>
 * {@link #next()} flushes the frames fed so far before it waits for the stream: while the bytes
 * already read hold more requests, replies accumulate in the write buffer, and they are written
 * together, in one system call, once the requests run out. A server that feeds each reply and
 * calls {@code next()} again thus answers a pipeline of requests with one write per batch, as
 * Netty's flush at the end of a read does, without calling {@code flush} itself. It also means
 * that {@code next()} waits for the peer to take the replies before it reads more requests: a
 * peer that sends without reading is held back, not buffered for.
 *
 * <p>The rest is as in {@link FramedRead} (limits, cancel-safe {@code next}, failures) and
 * {@link FramedWrite} (backpressure, {@code flush}, {@code shutdown}). A {@code Framed} serves one
 * task; for a reader task and a writer task, give each its own {@code FramedRead} and
 * {@code FramedWrite} over the stream.
 *
 * @param <T> the frame's type, both ways
 */
public final class Framed<T> implements AutoCloseable {
    private final Object stream;
    private final FramedRead<T> reader;
    private final FramedWrite<T> writer;

    private Framed(Object stream, FramedRead<T> reader, FramedWrite<T> writer) {
        this.stream = stream;
        this.reader = reader;
        this.writer = writer;
    }

    /**
     * Frames {@code stream} with {@code codec}, for frames of at most
     * {@value FramedRead#DEFAULT_MAX_FRAME_LENGTH} bytes.
     *
     * @param stream the stream; read and write it only through the returned {@code Framed}
     * @param codec the protocol
     * @param <T> the frame's type
     * @param <S> the stream's type: a reader and a writer, such as a {@code TcpStream}
     * @return the framed stream
     */
    public static <T, S extends AsyncRead & AsyncWrite> Framed<T> of(S stream, Codec<T> codec) {
        return of(stream, codec, codec, FramedRead.DEFAULT_MAX_FRAME_LENGTH);
    }

    /**
     * Frames {@code stream} with a decoder and an encoder of its own choosing.
     *
     * @param stream the stream; read and write it only through the returned {@code Framed}
     * @param decoder reads the frames the peer sends
     * @param encoder writes the frames sent to the peer
     * @param maxFrameLength the most bytes the reader buffers for one frame; see {@link FramedRead}
     * @param <T> the frame's type
     * @param <S> the stream's type
     * @return the framed stream
     * @throws IllegalArgumentException if {@code maxFrameLength} is less than 1
     */
    public static <T, S extends AsyncRead & AsyncWrite> Framed<T> of(S stream, Decoder<? extends T> decoder,
            Encoder<? super T> encoder, int maxFrameLength) {
        Objects.requireNonNull(stream, "stream");
        return new Framed<>(stream, new FramedRead<>(stream, decoder, maxFrameLength), new FramedWrite<>(stream, encoder));
    }

    /**
     * Reads the next frame, first flushing the frames fed so far if the bytes already read hold
     * no whole frame.
     *
     * @return a computation that completes with the frame, or with null once the stream has
     *         ended cleanly
     */
    public Async<T> next() {
        return this::pollNext;
    }

    /**
     * Decodes the next frame; see {@link #next()}.
     *
     * @param cx the poll's context
     * @return the frame, null at the end of the stream, or pending
     * @throws IOException the stream's or the codec's failure
     */
    public Poll<T> pollNext(Context cx) throws IOException {
        T frame = reader.nextBuffered();
        if (frame != null) {
            return Poll.ready(frame);
        }
        if (writer.hasBuffered() && writer.pollFlush(cx).isPending()) {
            return Poll.pending();
        }
        return reader.pollNext(cx);
    }

    /**
     * Encodes {@code frame} into the write buffer; see {@link FramedWrite#feed}. The next
     * {@link #next()} or {@link #flush()} writes it.
     *
     * @param frame the frame
     * @return a computation that completes once the frame is buffered
     */
    public Async<Void> feed(T frame) {
        return writer.feed(frame);
    }

    /**
     * Encodes {@code frame} into the write buffer if it has room, without making a computation;
     * see {@link FramedWrite#pollFeed}.
     *
     * @param cx the poll's context
     * @param frame the frame
     * @return ready once the frame is buffered; pending, with nothing encoded, while the buffer is
     *         being written out
     * @throws IOException the encoder's or the stream's failure
     */
    public Poll<Void> pollFeed(Context cx, T frame) throws IOException {
        return writer.pollFeed(cx, frame);
    }

    /**
     * Encodes {@code frame}, writes it and everything buffered before it, and flushes the stream.
     *
     * @param frame the frame
     * @return a computation that completes once the frame is written
     */
    public Async<Void> send(T frame) {
        return writer.send(frame);
    }

    /** {@return a computation that writes out every frame fed so far and flushes the stream} */
    public Async<Void> flush() {
        return writer.flush();
    }

    /**
     * Flushes, then shuts the stream's write half down, so that the peer reads end of stream
     * after the last frame; reading goes on.
     *
     * @return a computation that completes once the write half is shut down
     */
    public Async<Void> shutdown() {
        return writer.shutdown();
    }

    /** {@return how many bytes were read and not yet decoded} */
    public int readBuffered() {
        return reader.buffered();
    }

    /** {@return how many bytes were fed and not yet written} */
    public int writeBuffered() {
        return writer.buffered();
    }

    /**
     * Gives the buffers back and closes the stream, if it is {@link AutoCloseable}: frames fed and
     * not flushed are lost.
     *
     * @throws Exception the stream's close failure
     */
    @Override
    public void close() throws Exception {
        reader.release();
        writer.discard();
        if (stream instanceof AutoCloseable c) {
            c.close();
        }
    }

    @Override
    public String toString() {
        return "Framed[" + stream + ", " + readBuffered() + " bytes read, " + writeBuffered() + " to write]";
    }
}
