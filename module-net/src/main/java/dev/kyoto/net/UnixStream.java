package dev.kyoto.net;

import dev.kyoto.io.AsyncRead;
import dev.kyoto.io.AsyncWrite;
import dev.kyoto.io.Interest;
import dev.kyoto.io.PollEvented;
import dev.kyoto.io.Ready;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A Unix-domain stream connection on the runtime's reactor, over the JDK's
 * {@code SocketChannel} of family {@link java.net.StandardProtocolFamily#UNIX}.
 *
 * <pre>{@code
 * UnixStream s = rt.blockOn(UnixStream.connect(Path.of("/run/app.sock")));
 * rt.blockOn(s.writeAll(ByteBuffer.wrap(hello)));
 * int n = rt.blockOn(s.read(buffer));            // -1 at end of stream
 * }</pre>
 *
 * <p>It is an {@link AsyncRead} and an {@link AsyncWrite}, like {@link TcpStream}, down to the
 * generic API's half-close ({@link #shutdown()}) and gathering writes: at most one read and one
 * write may be in progress at a time; {@link #ready}, {@link #readable} and
 * {@link #writable} may be awaited by any number of tasks. After {@link #close()} reads and writes
 * fail with an {@link IOException} "stream closed". The JDK cannot create a connected pair without
 * a listener (there is no {@code socketpair}), so there is no {@code pair()}.
 */
public final class UnixStream implements AsyncRead, AsyncWrite, AutoCloseable {
    private final PollEvented<SocketChannel> io;
    /** Read once, when connected: a connected socket's addresses never change. */
    private final UnixDomainSocketAddress local;
    private final UnixDomainSocketAddress peer;

    /** Takes over a connected socket's registration; closes it if the socket was closed under it. */
    UnixStream(PollEvented<SocketChannel> io) throws IOException {
        this.io = io;
        this.local = Registered.address(io, SocketChannel::getLocalAddress, UnixDomainSocketAddress.class);
        this.peer = Registered.address(io, SocketChannel::getRemoteAddress, UnixDomainSocketAddress.class);
    }

    /**
     * Connects to the Unix-domain socket at {@code path}. A path with nothing bound to it fails
     * with a {@link java.net.SocketException}, one whose listener has closed with a
     * {@link java.net.ConnectException}, each naming the path.
     *
     * @throws IllegalArgumentException from the computation if the path is too long for the system
     */
    public static Async<UnixStream> connect(Path path) {
        return new UnixConnect(Objects.requireNonNull(path, "path"));
    }

    @Override
    public Poll<Integer> pollRead(Context cx, ByteBuffer dst) throws IOException {
        return io.pollRead(cx, dst);
    }

    @Override
    public Poll<Integer> pollWrite(Context cx, ByteBuffer src) throws IOException {
        return io.pollWrite(cx, src);
    }

    /** Writes from {@code srcs}, in order, with one gathering write ({@link #write(ByteBuffer[])}). */
    @Override
    public Poll<Long> pollWriteVectored(Context cx, ByteBuffer[] srcs) throws IOException {
        return io.pollWriteVectored(cx, srcs);
    }

    /**
     * Reads into {@code dst} without waiting.
     *
     * @return the number of bytes read, 0 if none could be read now (as a non-blocking
     *         {@code SocketChannel} returns), or -1 at end of stream
     */
    public int tryRead(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst, "dst");
        Integer n = io.tryIo(Interest.READABLE, ch -> {
            int r = ch.read(dst);
            return r == 0 && dst.hasRemaining() ? null : r;
        });
        return n == null ? 0 : n;
    }

    /**
     * Writes from {@code src} without waiting.
     *
     * @return the number of bytes written, 0 if there was no room now
     */
    public int tryWrite(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src, "src");
        Integer n = io.tryIo(Interest.WRITABLE, ch -> {
            int w = ch.write(src);
            return w == 0 && src.hasRemaining() ? null : w;
        });
        return n == null ? 0 : n;
    }

    /** Waits until the stream has some readiness that satisfies {@code interest}; any number of tasks may wait. */
    public Async<Ready> ready(Interest interest) {
        return io.ready(interest);
    }

    /** Waits until a read would not block (data, or end of stream). */
    public Async<Ready> readable() {
        return io.ready(Interest.READABLE);
    }

    /** Waits until a write would not block. */
    public Async<Ready> writable() {
        return io.ready(Interest.WRITABLE);
    }

    /** Shuts the write half down: the peer reads end of stream, and this side can still read. */
    public void shutdownOutput() throws IOException {
        io.channel().shutdownOutput();
    }

    /**
     * Shuts the write half down, at once: what {@link dev.kyoto.io.Io#copyBidirectional} calls to
     * pass end of stream on. A second shutdown succeeds.
     */
    @Override
    public Poll<Void> pollShutdown(Context cx) throws IOException {
        shutdownOutput();
        return Poll.ready(null);
    }

    /**
     * The local address; a connecting socket is unnamed (its path is empty). As it was when the
     * connection was made, also after {@link #close()}.
     */
    public UnixDomainSocketAddress localAddress() {
        return local;
    }

    /**
     * The peer's address; an accepted connection's peer is usually unnamed (its path is empty).
     * As it was when the connection was made, also after {@link #close()}.
     */
    public UnixDomainSocketAddress peerAddress() {
        return peer;
    }

    /** Deregisters and closes the socket. Idempotent. */
    @Override
    public void close() throws IOException {
        io.close();
    }

    @Override
    public String toString() {
        return "UnixStream[" + local.getPath() + " -> " + peer.getPath() + "]";
    }
}
