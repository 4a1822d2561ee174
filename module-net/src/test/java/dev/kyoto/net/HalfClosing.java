package dev.kyoto.net;

import dev.kyoto.io.AsyncRead;
import dev.kyoto.io.AsyncWrite;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A {@link TcpStream} whose {@link AsyncWrite#pollShutdown} half-closes it, as
 * {@code Io.copyBidirectional} needs. Stands in until {@code TcpStream} overrides
 * {@code pollShutdown} itself; then {@code HalfClosing.of(s)} can become {@code s}.
 */
record HalfClosing(TcpStream stream) implements AsyncRead, AsyncWrite {

    static HalfClosing of(TcpStream stream) {
        return new HalfClosing(stream);
    }

    @Override
    public Poll<Integer> pollRead(Context cx, ByteBuffer dst) throws IOException {
        return stream.pollRead(cx, dst);
    }

    @Override
    public Poll<Integer> pollWrite(Context cx, ByteBuffer src) throws IOException {
        return stream.pollWrite(cx, src);
    }

    @Override
    public Poll<Void> pollShutdown(Context cx) throws IOException {
        stream.shutdownOutput();
        return Poll.ready(null);
    }
}
