package dev.kyoto.io;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.nio.ByteBuffer;

/** Writes until the buffer is empty. */
final class WriteAll implements Async<Void> {
    private final AsyncWrite io;
    private final ByteBuffer src;

    WriteAll(AsyncWrite io, ByteBuffer src) {
        this.io = io;
        this.src = src;
    }

    @Override
    public Poll<Void> poll(Context cx) throws Exception {
        while (src.hasRemaining()) {
            if (io.pollWrite(cx, src).isPending()) {
                return Poll.pending();
            }
        }
        return Poll.ready(null);
    }
}
