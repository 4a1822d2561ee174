package dev.kyoto.codec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Chunks of bytes ended by any of a set of delimiter bytes: {@code tokio-util}'s
 * {@code AnyDelimiterCodec}. A frame is the bytes up to the first delimiter, without it; the last
 * chunk of a stream needs no delimiter. Encoding writes the chunk, then a fixed sequence.
 *
 * <pre>{@code
 * // Records ended by "," or ";", written back ended by ";".
 * var codec = new AnyDelimiterCodec(new byte[] {',', ';'}, new byte[] {';'}, 1024);
 * }</pre>
 *
 * <p>A chunk longer than the maximum fails with a {@link FrameTooLongException} as soon as that
 * many bytes have arrived without a delimiter, consuming nothing. Chunks are {@link ByteBuffer}s
 * over a copy of their bytes; encoding reads a chunk from position to limit without moving its
 * position.
 *
 * <p>A codec remembers how far it has looked for a delimiter, so that a long chunk arriving in
 * pieces is scanned once: use one codec per stream.
 */
public final class AnyDelimiterCodec implements Codec<ByteBuffer> {
    /** For each byte value, whether it ends a chunk. */
    private final boolean[] delimiter = new boolean[256];
    private final byte[] sequenceWriter;
    private final int maxLength;
    /** How many bytes at the front of the buffer are known to hold no delimiter. */
    private int scanned;

    /**
     * @param seekDelimiters the bytes any of which ends a chunk; at least one
     * @param sequenceWriter what {@link #encode} writes after each chunk; may be empty
     * @param maxLength the longest chunk accepted, in bytes without its delimiter
     * @throws IllegalArgumentException if {@code seekDelimiters} is empty or {@code maxLength}
     *         is less than 1
     */
    public AnyDelimiterCodec(byte[] seekDelimiters, byte[] sequenceWriter, int maxLength) {
        if (seekDelimiters.length == 0) {
            throw new IllegalArgumentException("seekDelimiters is empty: give at least one byte that ends a chunk");
        }
        if (maxLength < 1 || maxLength >= WriteBuffer.MAX_SIZE) {
            throw new IllegalArgumentException("maxLength must be between 1 and " + (WriteBuffer.MAX_SIZE - 1) + " bytes, was " + maxLength);
        }
        for (byte b : seekDelimiters) {
            delimiter[b & 0xff] = true;
        }
        this.sequenceWriter = sequenceWriter.clone();
        this.maxLength = maxLength;
    }

    @Override
    public ByteBuffer decode(ByteBuffer src) throws IOException {
        int start = src.position();
        int scanEnd = (int) Math.min(src.limit(), start + (long) maxLength + 1);
        for (int i = start + Math.min(scanned, src.remaining()); i < scanEnd; i++) {
            if (delimiter[src.get(i) & 0xff]) {
                ByteBuffer chunk = copy(src, start, i);
                src.position(i + 1);
                scanned = 0;
                return chunk;
            }
        }
        scanned = scanEnd - start;
        if (scanned > maxLength) {
            throw new FrameTooLongException("a delimited chunk (the AnyDelimiterCodec's maxLength)", scanned, maxLength);
        }
        return null;
    }

    @Override
    public ByteBuffer decodeEof(ByteBuffer src) throws IOException {
        ByteBuffer chunk = decode(src);
        if (chunk != null || !src.hasRemaining()) {
            return chunk;
        }
        chunk = copy(src, src.position(), src.limit());
        src.position(src.limit());
        scanned = 0;
        return chunk;
    }

    @Override
    public void encode(ByteBuffer chunk, WriteBuffer dst) {
        int start = chunk.position();
        dst.put(chunk).put(sequenceWriter);
        chunk.position(start);
    }

    @Override
    public String toString() {
        return "AnyDelimiterCodec[writes " + Arrays.toString(sequenceWriter) + ", max " + maxLength + " bytes]";
    }

    private static ByteBuffer copy(ByteBuffer src, int start, int end) {
        byte[] bytes = new byte[end - start];
        src.get(start, bytes);
        return ByteBuffer.wrap(bytes);
    }
}
