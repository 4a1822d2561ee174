package dev.kyoto.io;

import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.nio.ByteBuffer;

/** One side of a bidirectional copy: a scripted reader and a scripted writer as one stream. */
record ScriptedStream(ScriptedReader in, ScriptedWriter out) implements AsyncRead, AsyncWrite {

    @Override
    public Poll<Integer> pollRead(Context cx, ByteBuffer dst) throws IOException {
        return in.pollRead(cx, dst);
    }

    @Override
    public Poll<Integer> pollWrite(Context cx, ByteBuffer src) throws IOException {
        return out.pollWrite(cx, src);
    }

    @Override
    public Poll<Void> pollShutdown(Context cx) throws IOException {
        return out.pollShutdown(cx);
    }
}
