package dev.kyoto.io;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A source of bytes read without blocking: Kyoto's sockets, and anything that stands in for
 * them (the test kit's scripted stream). Implement {@link #pollRead}; the computations come with it.
 * At most one read may be in progress at a time.
 */
public interface AsyncRead {

    /**
     * Reads into {@code dst} if bytes are available.
     *
     * <p>{@code dst} is the caller's again once this returns, pending or not: an implementation
     * must not keep it to fill later. Callers rely on that to lend a pooled buffer for each poll
     * ({@link BufferPool}) and hold none while the stream has nothing to read.
     *
     * @return the number of bytes read (0 only if {@code dst} has no room), -1 at end of stream,
     *         or pending after arranging for {@code cx.waker()} to be woken
     * @throws IOException the read's failure
     */
    Poll<Integer> pollRead(Context cx, ByteBuffer dst) throws IOException;

    /** Reads into {@code dst}: completes with the number of bytes read, or -1 at end of stream. */
    default Async<Integer> read(ByteBuffer dst) {
        Objects.requireNonNull(dst, "dst");
        return cx -> pollRead(cx, dst);
    }

    /** Reads until {@code dst} is full; end of stream first is an {@link java.io.EOFException}. */
    default Async<Void> readExact(ByteBuffer dst) {
        return new ReadExact(this, Objects.requireNonNull(dst, "dst"));
    }
}
