package dev.kyoto.codec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Lines of UTF-8 text: {@code tokio-util}'s {@code LinesCodec}. A frame is the text up to a
 * {@code "\n"}, without it and without a {@code "\r"} before it; the last line of a stream needs
 * no terminator. Encoding writes the line and a {@code "\n"}.
 *
 * <pre>{@code
 * Framed<String> chat = Framed.of(socket, new LinesCodec(4096));
 * }</pre>
 *
 * <p>A line longer than the maximum, in bytes without its terminator, fails with a
 * {@link FrameTooLongException} as soon as that many bytes have arrived without a {@code "\n"}
 * (unlike {@code tokio-util}'s, which has no limit unless given one); bytes that are not UTF-8
 * fail with an {@link IOException}. Neither consumes the line: the connection's framing is then
 * lost, and it should be closed.
 *
 * <p>A codec remembers how far it has looked for the end of a line, so that a long line arriving
 * in pieces is scanned once: use one codec per stream.
 */
public final class LinesCodec implements Codec<String> {
    /** The longest line {@link #LinesCodec()} accepts: 64 KiB, as {@code BufReader.readLine()}. */
    public static final int DEFAULT_MAX_LENGTH = 64 * 1024;

    private final int maxLength;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    /** How many bytes at the front of the buffer are known to hold no {@code '\n'}. */
    private int scanned;

    /** Lines of at most {@value #DEFAULT_MAX_LENGTH} bytes. */
    public LinesCodec() {
        this(DEFAULT_MAX_LENGTH);
    }

    /**
     * @param maxLength the longest line accepted, in bytes without its terminator
     * @throws IllegalArgumentException if {@code maxLength} is less than 1 or more than
     *         {@link WriteBuffer#MAX_SIZE} minus two
     */
    public LinesCodec(int maxLength) {
        if (maxLength < 1 || maxLength > WriteBuffer.MAX_SIZE - 2) {
            throw new IllegalArgumentException("maxLength must be between 1 and " + (WriteBuffer.MAX_SIZE - 2) + " bytes, was " + maxLength);
        }
        this.maxLength = maxLength;
    }

    /** {@return the longest line accepted, in bytes without its terminator} */
    public int maxLength() {
        return maxLength;
    }

    @Override
    public String decode(ByteBuffer src) throws IOException {
        int start = src.position();
        // A line of maxLength bytes and "\r\n" is the most that may be needed to find the end.
        int scanEnd = (int) Math.min(src.limit(), start + (long) maxLength + 2);
        for (int i = start + Math.min(scanned, src.remaining()); i < scanEnd; i++) {
            if (src.get(i) == '\n') {
                int end = i > start && src.get(i - 1) == '\r' ? i - 1 : i;
                String line = line(src, start, end);
                src.position(i + 1);
                scanned = 0;
                return line;
            }
        }
        scanned = scanEnd - start;
        if (scanned >= maxLength + 2) {
            throw tooLong(scanned);
        }
        return null;
    }

    @Override
    public String decodeEof(ByteBuffer src) throws IOException {
        String line = decode(src);
        if (line != null || !src.hasRemaining()) {
            return line;
        }
        int start = src.position();
        int end = src.limit() > start && src.get(src.limit() - 1) == '\r' ? src.limit() - 1 : src.limit();
        line = line(src, start, end);
        src.position(src.limit());
        scanned = 0;
        return line;
    }

    /**
     * Writes {@code line} as UTF-8, then {@code "\n"}.
     *
     * @throws IllegalArgumentException if {@code line} contains a {@code "\n"}, which would make
     *         it two lines for the peer
     */
    @Override
    public void encode(String line, WriteBuffer dst) {
        if (line.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a line to send contains a \"\\n\" at index " + line.indexOf('\n')
                    + ", which would make it two lines; split it, or send it with another codec");
        }
        dst.putUtf8(line).put((byte) '\n');
    }

    @Override
    public String toString() {
        return "LinesCodec[max " + maxLength + " bytes]";
    }

    private String line(ByteBuffer src, int start, int end) throws IOException {
        int length = end - start;
        if (length > maxLength) {
            throw tooLong(length);
        }
        try {
            CharBuffer chars = utf8.reset().decode(src.slice(start, length));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new IOException("a line of " + length + " bytes is not valid UTF-8 (" + e + "); the peer sent binary data or "
                    + "another character set: use AnyDelimiterCodec to take the bytes as they are", e);
        }
    }

    private FrameTooLongException tooLong(long seen) {
        return new FrameTooLongException("a line (the LinesCodec's maxLength)", seen, maxLength);
    }
}
