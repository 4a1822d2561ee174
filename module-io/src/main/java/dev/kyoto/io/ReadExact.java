package dev.kyoto.io;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.EOFException;
import java.nio.ByteBuffer;

/** Reads until the buffer is full; end of stream before that is an {@link EOFException}. */
final class ReadExact implements Async<Void> {
    private final AsyncRead io;
    private final ByteBuffer dst;

    ReadExact(AsyncRead io, ByteBuffer dst) {
        this.io = io;
        this.dst = dst;
    }

    @Override
    public Poll<Void> poll(Context cx) throws Exception {
        while (dst.hasRemaining()) {
            Poll<Integer> p = io.pollRead(cx, dst);
            if (p.isPending()) {
                return Poll.pending();
            }
            if (p.value() < 0) {
                throw new EOFException("early end of stream: " + dst.remaining() + " more bytes were expected");
            }
        }
        return Poll.ready(null);
    }
}
