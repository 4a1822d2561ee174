package dev.kyoto.codec;

import dev.kyoto.io.BufferPool;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * The growable buffer an {@link Encoder} appends a frame's bytes to: the write side of
 * {@link FramedWrite}, which writes out what was appended when it is flushed. Every {@code put}
 * returns this buffer, so that an encoder reads as the frame's layout:
 *
 * <pre>{@code
 * dst.put((byte) '$').putDecimal(value.length).putAscii("\r\n").put(value).putAscii("\r\n");
 * }</pre>
 *
 * <h2>Memory</h2>
 * The buffer holds no memory while it is empty. It borrows a {@value #POOLED_SIZE}-byte array from
 * a pool for its first byte, grows (doubling) when a frame needs more, and when flushing has
 * written everything it gives the array back, or, if it grew, lets it go: an idle connection costs
 * no buffer, and a large frame costs its memory only while it is being written.
 *
 * <p>Not safe for use by several threads at once: its {@code FramedWrite} owns it.
 */
public final class WriteBuffer {
    /** The size of the pooled array a buffer starts with. */
    public static final int POOLED_SIZE = 8 * 1024;
    /** The largest buffer: a frame and those before it must fit in one array. */
    public static final int MAX_SIZE = Integer.MAX_VALUE - 16;

    /** Shared by every buffer of this module: the arrays both sides of a Framed borrow. */
    static final BufferPool POOL = BufferPool.heap(POOLED_SIZE);

    private static final byte[] EMPTY = new byte[0];
    private static final byte[] DIGITS = "0123456789".getBytes(StandardCharsets.US_ASCII);

    /** The bytes; {@code EMPTY} while nothing is buffered and nothing is borrowed. */
    private byte[] buf = EMPTY;
    /** Over {@code buf} when it came from the pool (so it can go back), else null. */
    private ByteBuffer pooled;
    /** buf[0, size) are the bytes appended; buf[0, written) of them have been written out. */
    private int size;
    private int written;
    /** Over {@code buf}: what a flush hands the writer; made once per array. */
    private ByteBuffer out;

    /**
     * An empty buffer. {@link FramedWrite} makes its own; make one to test an encoder, and read
     * what it appended with {@link #toByteArray()}.
     */
    public WriteBuffer() {
    }

    /** {@return the bytes appended and not yet written out} */
    public int size() {
        return size - written;
    }

    /** {@return whether every byte appended has been written out} */
    public boolean isEmpty() {
        return size == written;
    }

    /**
     * Appends one byte.
     *
     * @param b the byte
     * @return this buffer
     */
    public WriteBuffer put(byte b) {
        ensure(1);
        buf[size++] = b;
        return this;
    }

    /**
     * Appends the bytes of {@code src}.
     *
     * @param src the bytes
     * @return this buffer
     */
    public WriteBuffer put(byte[] src) {
        return put(src, 0, src.length);
    }

    /**
     * Appends {@code length} bytes of {@code src} from {@code offset}.
     *
     * @param src the array
     * @param offset where the bytes start
     * @param length how many
     * @return this buffer
     * @throws IndexOutOfBoundsException if the range is not within {@code src}
     */
    public WriteBuffer put(byte[] src, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, src.length);
        ensure(length);
        System.arraycopy(src, offset, buf, size, length);
        size += length;
        return this;
    }

    /**
     * Appends the remaining bytes of {@code src}, moving its position to its limit.
     *
     * @param src the bytes, from position to limit
     * @return this buffer
     */
    public WriteBuffer put(ByteBuffer src) {
        int n = src.remaining();
        ensure(n);
        src.get(buf, size, n);
        size += n;
        return this;
    }

    /**
     * Appends {@code value} as an unsigned integer of {@code width} bytes: a length header.
     *
     * @param value the value; must fit in {@code width} bytes
     * @param width 1 to 8
     * @param order which byte goes first
     * @return this buffer
     * @throws IllegalArgumentException if {@code width} is not 1 to 8, or {@code value} is negative
     *         or does not fit
     */
    public WriteBuffer putUnsigned(long value, int width, ByteOrder order) {
        if (width < 1 || width > 8) {
            throw new IllegalArgumentException("width must be 1 to 8 bytes, was " + width);
        }
        if (value < 0 || (width < 8 && value >>> (8 * width) != 0)) {
            throw new IllegalArgumentException(value + " does not fit in an unsigned field of " + width + " bytes");
        }
        ensure(width);
        for (int i = 0; i < width; i++) {
            int shift = order == ByteOrder.BIG_ENDIAN ? 8 * (width - 1 - i) : 8 * i;
            buf[size + i] = (byte) (value >>> shift);
        }
        size += width;
        return this;
    }

    /**
     * Appends {@code value} in decimal ASCII digits, with a {@code '-'} if negative: how text
     * protocols (RESP, HTTP's {@code Content-Length}) write numbers, without making a string.
     *
     * @param value the number
     * @return this buffer
     */
    public WriteBuffer putDecimal(long value) {
        if (value == Long.MIN_VALUE) {
            return putAscii(Long.toString(value));
        }
        if (value < 0) {
            put((byte) '-');
            value = -value;
        }
        int digits = 1;
        for (long v = value; v >= 10; v /= 10) {
            digits++;
        }
        ensure(digits);
        for (int i = size + digits - 1; i >= size; i--) {
            buf[i] = DIGITS[(int) (value % 10)];
            value /= 10;
        }
        size += digits;
        return this;
    }

    /**
     * Appends {@code text}, which must be ASCII, one byte per character.
     *
     * @param text the characters
     * @return this buffer
     * @throws IllegalArgumentException if a character is not ASCII; nothing is appended then
     */
    public WriteBuffer putAscii(CharSequence text) {
        int n = text.length();
        for (int i = 0; i < n; i++) {
            if (text.charAt(i) > 0x7f) {
                throw new IllegalArgumentException("character " + i + " of the text is not ASCII (U+"
                        + String.format("%04X", (int) text.charAt(i)) + "); use putUtf8");
            }
        }
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[size + i] = (byte) text.charAt(i);
        }
        size += n;
        return this;
    }

    /**
     * Appends {@code text} encoded as UTF-8.
     *
     * @param text the characters
     * @return this buffer
     */
    public WriteBuffer putUtf8(CharSequence text) {
        return put(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** {@return a copy of the bytes appended and not yet written out} */
    public byte[] toByteArray() {
        return Arrays.copyOfRange(buf, written, size);
    }

    /** Whether the buffer holds an array now; it holds none while empty. */
    boolean holdsMemory() {
        return buf != EMPTY;
    }

    @Override
    public String toString() {
        return "WriteBuffer[" + size() + " bytes to write, " + buf.length + " bytes held]";
    }

    /**
     * The bytes not yet written out, for one write; {@link #written} says how many it took.
     * Valid until the next change to this buffer.
     */
    ByteBuffer pending() {
        if (out == null) {
            out = ByteBuffer.wrap(buf);
        }
        return out.limit(size).position(written);
    }

    /** Records that a write took {@code n} of the bytes {@link #pending} returned. */
    void written(int n) {
        written += n;
        if (written == size) {
            size = 0;
            written = 0;
            // Everything is out: hold nothing while the connection is idle.
            if (pooled != null) {
                POOL.release(pooled);
                pooled = null;
            }
            buf = EMPTY;
            out = null;
        }
    }

    /** Makes room for {@code n} more bytes. */
    private void ensure(int n) {
        if (n <= buf.length - size) {
            return;
        }
        if (buf == EMPTY && n <= POOLED_SIZE) {
            pooled = POOL.acquire();
            buf = pooled.array();
            out = null;
            return;
        }
        if (written > 0 && n <= buf.length - size + written) {
            System.arraycopy(buf, written, buf, 0, size - written);
            size -= written;
            written = 0;
            return;
        }
        long needed = (long) size - written + n;
        if (needed > MAX_SIZE) {
            throw new IllegalStateException("a write buffer cannot hold " + needed + " bytes; flush before appending more");
        }
        byte[] bigger = new byte[(int) Math.min(MAX_SIZE, Math.max(needed, Math.max(POOLED_SIZE, 2L * buf.length)))];
        System.arraycopy(buf, written, bigger, 0, size - written);
        size -= written;
        written = 0;
        if (pooled != null) {
            POOL.release(pooled);
            pooled = null;
        }
        buf = bigger;
        out = null;
    }
}
