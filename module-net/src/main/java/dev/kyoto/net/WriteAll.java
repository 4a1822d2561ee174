package dev.kyoto.net;

import dev.kyoto.io.PollEvented;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** Writes until the buffer is empty. */
final class WriteAll implements Async<Void> {
    private final PollEvented<SocketChannel> io;
    private final ByteBuffer src;

    WriteAll(PollEvented<SocketChannel> io, ByteBuffer src) {
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
