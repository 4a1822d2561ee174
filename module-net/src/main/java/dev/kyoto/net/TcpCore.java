package dev.kyoto.net;

import dev.kyoto.io.Interest;
import dev.kyoto.io.PollEvented;
import dev.kyoto.io.Ready;
import dev.kyoto.io.spi.StreamSocket;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The shared core of one TCP connection, behind a {@link TcpStream} and its halves: the socket
 * (a registered JDK channel, or one the runtime's driver owns), and the bytes {@link #pollPeek}
 * read ahead.
 *
 * <p>The JDK's socket channels cannot receive with {@code MSG_PEEK}, so a peek on one reads into
 * {@code peekBuf} and every read-side operation returns those bytes before it reads the socket.
 * {@code peekBuf} and {@code peeked} belong to the read side: only the one task reading at a time
 * writes them. {@code peeked} is volatile because readiness checks, which any task may make, read
 * it: while it is set the connection is readable without asking the reactor. A socket that
 * {@linkplain StreamSocket#peeks() peeks} itself keeps the bytes, and neither field is used.
 *
 * <p>{@code openHalves} counts the owned halves of {@link TcpStream#intoSplit()} not yet closed;
 * the one that takes it to zero closes the connection.
 *
 * <p>{@code local} and {@code peer} are read once, when the connection is made: a connected TCP
 * socket's addresses never change, and kept here they can be returned without a checked
 * exception, and after the connection closed (when the JDK no longer returns them).
 */
final class TcpCore {
    private static final int MIN_PEEK = 64;

    final StreamSocket socket;
    /** The registered channel under {@code socket}, or null when the driver owns the socket. */
    final PollEvented<SocketChannel> channel;
    final InetSocketAddress local;
    final InetSocketAddress peer;
    private ByteBuffer peekBuf;
    private volatile boolean peeked;
    private final AtomicInteger openHalves = new AtomicInteger(2);

    /**
     * Takes over a connected socket; closes it if its addresses cannot be read (the socket was
     * closed under it).
     */
    TcpCore(StreamSocket socket) throws IOException {
        this.socket = socket;
        this.channel = socket instanceof ChannelStreamSocket c ? c.io : null;
        try {
            this.local = (InetSocketAddress) socket.localAddress();
            this.peer = (InetSocketAddress) socket.remoteAddress();
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    Poll<Integer> pollRead(Context cx, ByteBuffer dst) throws IOException {
        if (peeked) {
            return Poll.ready(takePeeked(dst));
        }
        return socket.pollRead(cx, dst);
    }

    Poll<Integer> pollPeek(Context cx, ByteBuffer dst) throws IOException {
        if (!dst.hasRemaining()) {
            return Poll.ready(0);
        }
        if (socket.peeks()) {
            return socket.pollPeek(cx, dst);
        }
        if (!peeked) {
            int want = Math.max(dst.remaining(), MIN_PEEK);
            if (peekBuf == null || peekBuf.capacity() < want) {
                peekBuf = ByteBuffer.allocate(want);
            }
            peekBuf.clear().limit(want);
            Poll<Integer> p = socket.pollRead(cx, peekBuf);
            if (p.isPending()) {
                return p;
            }
            if (p.value() < 0) {
                return p;
            }
            peekBuf.flip();
            peeked = true;
        }
        int n = Math.min(dst.remaining(), peekBuf.remaining());
        dst.put(dst.position(), peekBuf, peekBuf.position(), n).position(dst.position() + n);
        return Poll.ready(n);
    }

    private int takePeeked(ByteBuffer dst) {
        int n = Math.min(dst.remaining(), peekBuf.remaining());
        dst.put(dst.position(), peekBuf, peekBuf.position(), n).position(dst.position() + n);
        peekBuf.position(peekBuf.position() + n);
        if (!peekBuf.hasRemaining()) {
            peeked = false;
        }
        return n;
    }

    int tryRead(ByteBuffer dst) throws IOException {
        if (peeked) {
            return takePeeked(dst);
        }
        return socket.tryRead(dst);
    }

    int tryWrite(ByteBuffer src) throws IOException {
        return socket.tryWrite(src);
    }

    Async<Ready> ready(Interest interest) {
        if (interest.isReadable() && peeked) {
            return Async.ready(Ready.READABLE);
        }
        return socket.ready(interest);
    }

    Poll<Ready> pollReadReady(Context cx) throws IOException {
        return peeked ? Poll.ready(Ready.READABLE) : socket.pollReadReady(cx);
    }

    /** Closes one owned half; the second to close closes the connection. */
    void releaseHalf() throws IOException {
        if (openHalves.decrementAndGet() == 0) {
            close();
        }
    }

    void close() throws IOException {
        peeked = false;
        socket.close();
    }
}
