package dev.kyoto.io;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A sink of bytes written without blocking: Kyoto's sockets, and anything that stands in for
 * them (the test kit's scripted stream). Implement {@link #pollWrite}; the computations come with
 * it. At most one write may be in progress at a time.
 */
public interface AsyncWrite {

    /**
     * Writes from {@code src} if there is room.
     *
     * @return the number of bytes written (0 only if {@code src} is empty), or pending after
     *         arranging for {@code cx.waker()} to be woken
     * @throws IOException the write's failure
     */
    Poll<Integer> pollWrite(Context cx, ByteBuffer src) throws IOException;

    /** Writes from {@code src}: completes with the number of bytes written. */
    default Async<Integer> write(ByteBuffer src) {
        Objects.requireNonNull(src, "src");
        return cx -> pollWrite(cx, src);
    }

    /** Writes all of {@code src}. */
    default Async<Void> writeAll(ByteBuffer src) {
        return new WriteAll(this, Objects.requireNonNull(src, "src"));
    }
}
