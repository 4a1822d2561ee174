package dev.kyoto.net;

import dev.kyoto.io.AsyncRead;
import dev.kyoto.io.Interest;
import dev.kyoto.io.Ready;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The read operations of a TCP connection's read half, borrowed ({@link TcpReadHalf}) or owned
 * ({@link OwnedTcpReadHalf}). One task reads at a time, as on the stream.
 */
abstract sealed class TcpReadSide implements AsyncRead permits TcpReadHalf, OwnedTcpReadHalf {
    final TcpCore core;

    TcpReadSide(TcpCore core) {
        this.core = core;
    }

    /** The core, once the half is known to be usable. */
    abstract TcpCore use() throws IOException;

    @Override
    public Poll<Integer> pollRead(Context cx, ByteBuffer dst) throws IOException {
        return use().pollRead(cx, dst);
    }

    /** Reads without removing; see {@link TcpStream#peek(ByteBuffer)}. */
    public Async<Integer> peek(ByteBuffer dst) {
        Objects.requireNonNull(dst, "dst");
        return cx -> use().pollPeek(cx, dst);
    }

    /** Reads what is there without waiting; see {@link TcpStream#tryRead(ByteBuffer)}. */
    public int tryRead(ByteBuffer dst) throws IOException {
        return use().tryRead(dst);
    }

    /** Waits until the connection is readable; see {@link TcpStream#readable()}. */
    public Async<Void> readable() {
        return new CoreReady(this::use, Interest.READABLE).map(r -> null);
    }

    /** Read readiness on the single reader slot; see {@link TcpStream#pollReadReady(Context)}. */
    public Poll<Ready> pollReadReady(Context cx) throws IOException {
        return use().pollReadReady(cx);
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
