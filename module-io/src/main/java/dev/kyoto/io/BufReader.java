package dev.kyoto.io;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Adds a buffer to any {@link AsyncRead}, and with it reading by delimiter and by line: Tokio's
 * {@code BufReader} and {@code AsyncBufReadExt}.
 *
 * <pre>{@code
 * BufReader in = new BufReader(socket);
 * Async<Void> printLines() {
 *     return in.readLine().then(line -> {
 *         if (line == null) return Async.ready(null);   // end of stream
 *         System.out.println(line);
 *         return printLines();
 *     });
 * }
 * }</pre>
 *
 * <p>Small reads are served from the buffer, which is refilled with one read of the inner stream
 * when empty; a read of at least the buffer's size into an empty buffer goes straight to the
 * inner stream, since copying through the buffer would gain nothing.
 *
 * <h2>Bounded memory</h2>
 * The buffer holds {@code capacity} bytes. A reader of the default capacity borrows its buffer
 * from a pool of heap buffers while it holds bytes, and gives it back whenever it is empty and the
 * inner stream has nothing to read: a connection whose reader waits for its peer holds no buffer. To return a line, {@link #readLine} must hold the whole
 * line, so it grows the buffer up to its limit ({@link #DEFAULT_MAX_LINE} bytes for
 * {@code readLine()}) and shrinks it back once the long line has been read. A line longer than
 * the limit fails with an {@link IOException} instead of growing further: a peer cannot make the
 * reader buffer without bound. {@code readUntil} appends to the caller's sink and takes its own
 * limit.
 *
 * <h2>Cancellation and failures</h2>
 * <ul>
 *   <li>{@link #readLine} is cancel-safe, unlike Tokio's {@code read_line}: it consumes nothing
 *       until it returns a line, so a cancelled {@code readLine} leaves the partial line buffered
 *       and the next read sees it. A line that fails (too long, not UTF-8) also stays buffered,
 *       unread: nothing is lost, and a retry with a larger limit, or {@code readUntil}, gets it.</li>
 *   <li>{@link #readUntil} is cancel-safe as in Tokio: every byte it consumes is appended to the
 *       sink at once, so after a cancel the sink holds the partial record and calling
 *       {@code readUntil} again with the same sink completes it.</li>
 * </ul>
 *
 * <p>Like every {@code AsyncRead}, a {@code BufReader} serves one read at a time; it is not safe
 * for use by several threads at once.
 */
public final class BufReader implements AsyncRead {
    /** The buffer size of {@link #BufReader(AsyncRead)}: Tokio's 8 KiB. */
    public static final int DEFAULT_CAPACITY = 8 * 1024;
    /** The longest line, in bytes without its terminator, that {@link #readLine()} accepts. */
    public static final int DEFAULT_MAX_LINE = 64 * 1024;
    /** The largest limit a read accepts: a line and its terminator must fit in one array. */
    public static final int MAX_LIMIT = Integer.MAX_VALUE - 16;

    private static final byte[] EMPTY = new byte[0];
    /** Where readers of {@link #DEFAULT_CAPACITY} borrow their buffer. */
    static final BufferPool DEFAULT_BUFFERS = BufferPool.heap(DEFAULT_CAPACITY);

    private final AsyncRead inner;
    private final int capacity;
    /** Whether the buffer, at {@code capacity}, comes from {@link #DEFAULT_BUFFERS}. */
    private final boolean pooled;
    /**
     * Null while a pooled reader holds nothing (given back, or not yet borrowed); then
     * {@code window} and {@code view} are null too and {@code pos == end == 0}.
     */
    private byte[] buf;
    /** Over {@code buf}: where reads of the inner stream land. */
    private ByteBuffer window;
    /**
     * Over {@code buf}, read-only: what {@link #pollFillBuf} hands out, made on its first call for
     * each buffer and reused, so that reading allocates nothing; null until then.
     */
    private ByteBuffer view;
    /** buf[pos, end) are the buffered bytes not yet consumed. */
    private int pos;
    private int end;
    private CharsetDecoder utf8;

    /**
     * Wraps {@code inner} with a buffer of {@value #DEFAULT_CAPACITY} bytes.
     *
     * @param inner the stream to read from; from now on read it only through this reader
     */
    public BufReader(AsyncRead inner) {
        this(inner, DEFAULT_CAPACITY);
    }

    /**
     * Wraps {@code inner} with a buffer of {@code capacity} bytes.
     *
     * @param inner the stream to read from; from now on read it only through this reader
     * @param capacity the buffer's size in bytes, at least 1
     * @throws IllegalArgumentException if {@code capacity} is less than 1
     */
    public BufReader(AsyncRead inner, int capacity) {
        this.inner = Objects.requireNonNull(inner, "inner");
        if (capacity < 1 || capacity > MAX_LIMIT) {
            throw new IllegalArgumentException("capacity must be between 1 and " + MAX_LIMIT + " bytes, was " + capacity);
        }
        this.capacity = capacity;
        this.pooled = capacity == DEFAULT_CAPACITY;
        if (!pooled) {
            setBuffer(new byte[capacity]);
        }
    }

    /**
     * The stream this reader reads from. Reading it directly skips the bytes already buffered
     * here; take them with {@link #buffered()} first.
     *
     * @return the wrapped stream
     */
    public AsyncRead inner() {
        return inner;
    }

    /** {@return the buffer's configured size in bytes} It grows beyond it only while a long line is read. */
    public int capacity() {
        return capacity;
    }

    /**
     * The bytes read from the inner stream and not yet consumed, as a read-only view that is
     * valid until the next read or {@link #consume}. Consuming them is up to the caller.
     *
     * @return the buffered bytes, from position to limit
     */
    public ByteBuffer buffered() {
        return ByteBuffer.wrap(array(), pos, end - pos).slice().asReadOnlyBuffer();
    }

    /**
     * Reads into {@code dst}: buffered bytes first, and only when none are buffered, from the
     * inner stream.
     *
     * @return the number of bytes read (0 only if {@code dst} has no room), -1 at end of stream,
     *         or pending
     */
    @Override
    public Poll<Integer> pollRead(Context cx, ByteBuffer dst) throws IOException {
        if (!dst.hasRemaining()) {
            return Poll.ready(0);
        }
        if (pos == end && dst.remaining() >= size()) {
            // The caller's buffer is at least as big as ours: copying through ours gains nothing.
            return inner.pollRead(cx, dst);
        }
        if (pos == end && pollMore(cx, size()).isPending()) {
            return Poll.pending();
        }
        int n = Math.min(end - pos, dst.remaining());
        if (n == 0) {
            return Poll.ready(-1);
        }
        dst.put(buf, pos, n);
        consume(n);
        return Poll.ready(n);
    }

    /**
     * Returns the buffered bytes, first reading the inner stream once if none are buffered: the
     * building block for parsers of one's own. Follow with {@link #consume} for the bytes used.
     *
     * <pre>{@code
     * Poll<ByteBuffer> p = in.pollFillBuf(cx);
     * if (p.isPending()) return Poll.pending();
     * ByteBuffer bytes = p.value();                  // empty at end of stream
     * int used = parse(bytes);
     * in.consume(used);
     * }</pre>
     *
     * @param cx the poll's context
     * @return a read-only view of the buffered bytes, empty at end of stream, valid until the next
     *         read or {@code consume}; or pending
     * @throws IOException the inner stream's failure
     */
    public Poll<ByteBuffer> pollFillBuf(Context cx) throws IOException {
        if (pos == end && pollMore(cx, size()).isPending()) {
            return Poll.pending();
        }
        if (view == null) {
            // Made on first use for each buffer: readLine, readUntil and pollRead never need it.
            view = window.asReadOnlyBuffer();
        }
        view.clear().limit(end).position(pos);
        return Poll.ready(view);
    }

    /**
     * Marks the first {@code n} buffered bytes as read.
     *
     * @param n how many of the bytes {@link #pollFillBuf} returned were used
     * @throws IllegalArgumentException if {@code n} is negative or more than are buffered
     */
    public void consume(int n) {
        if (n < 0 || n > end - pos) {
            throw new IllegalArgumentException("cannot consume " + n + " bytes: " + (end - pos)
                    + " are buffered; consume at most what pollFillBuf returned");
        }
        pos += n;
        if (pos == end) {
            pos = 0;
            end = 0;
            if (buf != null && buf.length > capacity) {
                // A long line made the buffer grow; give the memory back now that it is empty.
                if (pooled) {
                    buf = null;
                    window = null;
                    view = null;
                } else {
                    setBuffer(new byte[capacity]);
                }
            }
        }
    }

    /**
     * Reads up to and including {@code delim}, or to end of stream, appending the bytes to
     * {@code out}. No limit: use it only with a peer that is trusted to send the delimiter, or see
     * {@link #readUntil(byte, ByteArrayOutputStream, int)}.
     *
     * @param delim the byte that ends a record
     * @param out where the record's bytes are appended
     * @return a computation that completes with the number of bytes appended, the delimiter
     *         included; 0 at end of stream
     */
    public Async<Integer> readUntil(byte delim, ByteArrayOutputStream out) {
        return new ReadUntil(this, delim, Objects.requireNonNull(out, "out"), Integer.MAX_VALUE);
    }

    /**
     * Reads up to and including {@code delim}, or to end of stream, appending the bytes to
     * {@code out}, and fails rather than append more than {@code maxBytes}.
     *
     * <pre>{@code
     * ByteArrayOutputStream record = new ByteArrayOutputStream();
     * int n = rt.blockOn(in.readUntil((byte) 0, record, 4096));   // a NUL-terminated record
     * }</pre>
     *
     * <p>Cancel-safe: the bytes consumed are in {@code out} as soon as they are read, so a call
     * after a cancel, with the same sink, completes the record.
     *
     * @param delim the byte that ends a record
     * @param out where the record's bytes are appended
     * @param maxBytes the most bytes one call may append, delimiter included
     * @return a computation that completes with the number of bytes appended, the delimiter
     *         included; 0 at end of stream. It fails with an {@link IOException} once
     *         {@code maxBytes} bytes have been appended without the delimiter and more follow;
     *         those bytes are then in {@code out}.
     * @throws IllegalArgumentException if {@code maxBytes} is less than 1 or more than {@link #MAX_LIMIT}
     */
    public Async<Integer> readUntil(byte delim, ByteArrayOutputStream out, int maxBytes) {
        return new ReadUntil(this, delim, Objects.requireNonNull(out, "out"), checkLimit(maxBytes));
    }

    /**
     * Reads one line of UTF-8 text, of at most {@value #DEFAULT_MAX_LINE} bytes; see
     * {@link #readLine(int)}.
     *
     * @return a computation that completes with the line, or null at end of stream
     */
    public Async<String> readLine() {
        return new ReadLine(this, DEFAULT_MAX_LINE, "readLine()");
    }

    /**
     * Reads one line of UTF-8 text: the bytes up to a {@code "\n"}, without it and without the
     * {@code "\r"} before it, if any. The last line of a stream needs no terminator. This is what
     * Tokio's {@code Lines::next_line} returns.
     *
     * <pre>{@code
     * String line = rt.blockOn(in.readLine(1024));   // null at end of stream
     * }</pre>
     *
     * @param maxBytes the longest line accepted, in bytes without its terminator
     * @return a computation that completes with the line, or null at end of stream. It fails with
     *         an {@link IOException}, leaving the line buffered and unread, if the line is longer
     *         than {@code maxBytes} or is not valid UTF-8.
     * @throws IllegalArgumentException if {@code maxBytes} is less than 1 or more than {@link #MAX_LIMIT}
     */
    public Async<String> readLine(int maxBytes) {
        return new ReadLine(this, checkLimit(maxBytes), "readLine(" + maxBytes + ")");
    }

    @Override
    public String toString() {
        return "BufReader[" + inner + ", " + (end - pos) + " of " + size() + " bytes buffered]";
    }

    /** The buffer; buffered bytes are {@code array()[start(), end())}. */
    byte[] array() {
        return buf != null ? buf : EMPTY;
    }

    /** The buffer's size now: {@code capacity}, or more while a long line is read. */
    private int size() {
        return buf != null ? buf.length : capacity;
    }

    int start() {
        return pos;
    }

    int end() {
        return end;
    }

    /** A decoder that reports malformed input instead of replacing it; one per reader. */
    CharsetDecoder utf8() {
        if (utf8 == null) {
            utf8 = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
        }
        return utf8;
    }

    /**
     * Reads the inner stream once into the room after the buffered bytes, moving them to the
     * front, or growing the buffer up to {@code maxBuffered} bytes, if there is no room.
     *
     * @return the number of bytes added, -1 at end of stream, or pending
     */
    Poll<Integer> pollMore(Context cx, int maxBuffered) throws IOException {
        if (buf == null) {
            ByteBuffer b = DEFAULT_BUFFERS.acquire();
            buf = b.array();
            window = b;
        }
        if (end == buf.length) {
            if (pos > 0) {
                System.arraycopy(buf, pos, buf, 0, end - pos);
                end -= pos;
                pos = 0;
            } else {
                grow(maxBuffered);
            }
        }
        window.clear().position(end);
        Poll<Integer> r = inner.pollRead(cx, window);
        if (r.isPending() && end == 0 && pooled && buf.length == capacity) {
            // Nothing buffered and nothing to read: wait without a buffer.
            DEFAULT_BUFFERS.release(window);
            buf = null;
            window = null;
            view = null;
        }
        if (r.isReady()) {
            int n = r.value();
            if (n == 0) {
                throw new IOException("the reader " + inner + " read 0 bytes into a buffer with " + (buf.length - end)
                        + " bytes of room; AsyncRead.pollRead must read at least one byte, return -1 at end of stream, or return pending");
            }
            if (n > 0) {
                end += n;
            }
        }
        return r;
    }

    private void grow(int maxBuffered) {
        int size = (int) Math.min(Math.max(2L * buf.length, buf.length + 1L), Math.max(maxBuffered, buf.length + 1L));
        byte[] bigger = new byte[size];
        System.arraycopy(buf, 0, bigger, 0, end);
        if (pooled && buf.length == capacity) {
            DEFAULT_BUFFERS.release(window);
        }
        setBuffer(bigger);
    }

    private void setBuffer(byte[] b) {
        buf = b;
        window = ByteBuffer.wrap(b);
        view = null;
    }

    private static int checkLimit(int maxBytes) {
        if (maxBytes < 1 || maxBytes > MAX_LIMIT) {
            throw new IllegalArgumentException("maxBytes must be between 1 and " + MAX_LIMIT + ", was " + maxBytes);
        }
        return maxBytes;
    }
}
