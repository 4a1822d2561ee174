package dev.kyoto.net;

import dev.kyoto.io.AsyncWrite;
import dev.kyoto.io.Interest;
import dev.kyoto.io.Ready;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The write operations of a TCP connection's write half, borrowed ({@link TcpWriteHalf}) or owned
 * ({@link OwnedTcpWriteHalf}). One task writes at a time, as on the stream.
 */
abstract sealed class TcpWriteSide implements AsyncWrite permits TcpWriteHalf, OwnedTcpWriteHalf {
    final TcpCore core;

    TcpWriteSide(TcpCore core) {
        this.core = core;
    }

    /** The core, once the half is known to be usable. */
    abstract TcpCore use() throws IOException;

    @Override
    public Poll<Integer> pollWrite(Context cx, ByteBuffer src) throws IOException {
        return use().socket.pollWrite(cx, src);
    }

    /** Writes from several buffers with one gathering write. */
    @Override
    public Poll<Long> pollWriteVectored(Context cx, ByteBuffer[] srcs) throws IOException {
        return use().socket.pollWriteVectored(cx, srcs);
    }

    /** Writes what fits without waiting; see {@link TcpStream#tryWrite(ByteBuffer)}. */
    public int tryWrite(ByteBuffer src) throws IOException {
        return use().tryWrite(src);
    }

    /** Waits until the connection is writable; see {@link TcpStream#writable()}. */
    public Async<Void> writable() {
        return new CoreReady(this::use, Interest.WRITABLE).map(r -> null);
    }

    /** Write readiness on the single writer slot; see {@link TcpStream#pollWriteReady(Context)}. */
    public Poll<Ready> pollWriteReady(Context cx) throws IOException {
        return use().socket.pollWriteReady(cx);
    }

    /** Shuts the write direction down: the peer reads end of stream; reading goes on. */
    public void shutdownOutput() throws IOException {
        use().socket.shutdownOutput();
    }

    /** Waits until what was written has been handed to the kernel; see {@link TcpStream#pollFlush(Context)}. */
    @Override
    public Poll<Void> pollFlush(Context cx) throws IOException {
        return use().socket.pollFlush(cx);
    }

    /** Shuts the write direction down once what was written is sent; see {@link TcpStream#pollShutdown(Context)}. */
    @Override
    public Poll<Void> pollShutdown(Context cx) throws IOException {
        if (pollFlush(cx).isPending()) {
            return Poll.pending();
        }
        shutdownOutput();
        return Poll.ready(null);
    }

    /** The local address of the connection; see {@link TcpStream#localAddress()}. */
    public InetSocketAddress localAddress() {
        return core.local;
    }

    /** The address of the peer; see {@link TcpStream#peerAddress()}. */
    public InetSocketAddress peerAddress() {
        return core.peer;
    }
}
