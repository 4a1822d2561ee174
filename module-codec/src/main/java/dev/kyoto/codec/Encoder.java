package dev.kyoto.codec;

import java.io.IOException;

/**
 * Turns frames into bytes: {@code tokio-util}'s {@code Encoder}. {@link Framed} appends each frame
 * to its write buffer with {@link #encode}, and writes the buffer out when flushed, so several
 * frames go out in one system call.
 *
 * <pre>{@code
 * Encoder<String> lines = (line, dst) -> dst.putUtf8(line).put((byte) '\n');
 * }</pre>
 *
 * @param <T> the frame's type
 */
@FunctionalInterface
public interface Encoder<T> {

    /**
     * Appends {@code frame}'s bytes to {@code dst}.
     *
     * @param frame the frame to encode
     * @param dst the write buffer; grows as needed
     * @throws IOException if {@code frame} cannot be encoded (too long for the protocol, say); an
     *         encoder should check before it appends, so that a failure leaves {@code dst} as it
     *         was
     */
    void encode(T frame, WriteBuffer dst) throws IOException;
}
