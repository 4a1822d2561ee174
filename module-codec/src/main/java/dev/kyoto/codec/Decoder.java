package dev.kyoto.codec;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Turns bytes into frames: {@code tokio-util}'s {@code Decoder}. {@link Framed} keeps the bytes
 * read from the stream and offers them to {@link #decode} each time more arrive; the decoder
 * either takes one whole frame from the front or asks for more.
 *
 * <pre>{@code
 * // Frames of the form: one byte of length, then that many bytes.
 * final class ShortFrames implements Decoder<byte[]> {
 *     public byte[] decode(ByteBuffer src) {
 *         if (src.remaining() < 1) return null;
 *         int n = src.get(src.position()) & 0xff;     // peek; consume nothing yet
 *         if (src.remaining() < 1 + n) return null;   // the whole frame is not here yet
 *         byte[] frame = new byte[n];
 *         src.get();                                  // now consume the header and the body
 *         src.get(frame);
 *         return frame;
 *     }
 * }
 * }</pre>
 *
 * <p>A decoder must be all or nothing: either it returns a frame and leaves {@code src}'s position
 * just past it, or it returns null and leaves the position where it was (it may look ahead with
 * absolute gets). A decoder may keep state between calls (how far it has already scanned, say),
 * as long as the bytes it has not consumed are offered again.
 *
 * @param <T> the frame's type
 */
@FunctionalInterface
public interface Decoder<T> {

    /**
     * Decodes one frame from the front of {@code src}, if a whole one is there.
     *
     * @param src the bytes read and not yet decoded, from position to limit; valid only for this
     *            call (the buffer is reused), so a frame must copy what it keeps
     * @return the frame, with {@code src}'s position moved past its bytes; or null if {@code src}
     *         does not hold a whole frame yet, with the position unchanged
     * @throws IOException if the bytes are not a valid frame, or announce one longer than the
     *         decoder accepts ({@link FrameTooLongException}); the bytes stay unconsumed
     */
    T decode(ByteBuffer src) throws IOException;

    /**
     * Decodes at end of stream: the stream will send nothing more, so bytes that are not a whole
     * frame never will be. The default decodes as usual and fails if bytes are left over that are
     * not a frame; a protocol whose last frame needs no terminator (lines, say) overrides it.
     *
     * @param src the bytes read and not yet decoded
     * @return a frame, or null if {@code src} is empty: the stream ended cleanly
     * @throws IOException if the stream ended inside a frame ({@link EOFException}), or as
     *         {@link #decode}
     */
    default T decodeEof(ByteBuffer src) throws IOException {
        T frame = decode(src);
        if (frame == null && src.hasRemaining()) {
            throw new EOFException("the stream ended inside a frame: " + src.remaining()
                    + " bytes were read that are not a whole frame; the peer closed the connection mid-frame");
        }
        return frame;
    }
}
