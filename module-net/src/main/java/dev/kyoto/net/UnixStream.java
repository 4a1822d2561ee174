package dev.kyoto.net;

import dev.kyoto.io.AsyncRead;
import dev.kyoto.io.AsyncWrite;
import dev.kyoto.io.Interest;
import dev.kyoto.io.Ready;
import dev.kyoto.io.spi.StreamSocket;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A Unix-domain stream connection: on the io_uring driver a socket the driver owns, on the
 * selector driver the JDK's {@code SocketChannel} of family
 * {@link java.net.StandardProtocolFamily#UNIX}.
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
    private final StreamSocket socket;
    /** Read once, when connected: a connected socket's addresses never change. */
    private final UnixDomainSocketAddress local;
    private final UnixDomainSocketAddress peer;

    /**
     * Takes over a connected socket: a registered JDK channel, or one the runtime's driver owns.
     * Closes it if its addresses cannot be read (it was closed under it).
     */
    UnixStream(StreamSocket socket) throws IOException {
        this.socket = socket;
        try {
            this.local = (UnixDomainSocketAddress) socket.localAddress();
            this.peer = (UnixDomainSocketAddress) socket.remoteAddress();
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
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
        return socket.pollRead(cx, dst);
    }

    @Override
    public Poll<Integer> pollWrite(Context cx, ByteBuffer src) throws IOException {
        return socket.pollWrite(cx, src);
    }

    /** Writes from {@code srcs}, in order, with one gathering write ({@link #write(ByteBuffer[])}). */
    @Override
    public Poll<Long> pollWriteVectored(Context cx, ByteBuffer[] srcs) throws IOException {
        return socket.pollWriteVectored(cx, srcs);
    }

    /**
     * Waits until what was written has been handed to the kernel: at once on the selector
     * driver, after the last queued send on io_uring.
     */
    @Override
    public Poll<Void> pollFlush(Context cx) throws IOException {
        return socket.pollFlush(cx);
    }

    /**
     * Reads into {@code dst} without waiting.
     *
     * @return the number of bytes read, 0 if none could be read now (as a non-blocking
     *         {@code SocketChannel} returns), or -1 at end of stream
     */
    public int tryRead(ByteBuffer dst) throws IOException {
        return socket.tryRead(Objects.requireNonNull(dst, "dst"));
    }

    /**
     * Writes from {@code src} without waiting.
     *
     * @return the number of bytes written, 0 if there was no room now
     */
    public int tryWrite(ByteBuffer src) throws IOException {
        return socket.tryWrite(Objects.requireNonNull(src, "src"));
    }

    /** Waits until the stream has some readiness that satisfies {@code interest}; any number of tasks may wait. */
    public Async<Ready> ready(Interest interest) {
        return socket.ready(Objects.requireNonNull(interest, "interest"));
    }

    /** Waits until a read would not block (data, or end of stream). */
    public Async<Ready> readable() {
        return ready(Interest.READABLE);
    }

    /** Waits until a write would not block. */
    public Async<Ready> writable() {
        return ready(Interest.WRITABLE);
    }

    /**
     * Shuts the write half down: the peer reads end of stream, and this side can still read. On
     * io_uring the end follows a send still in flight.
     */
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /**
     * Shuts the write half down once what was written has been handed to the kernel
     * ({@link #pollFlush}): what {@link dev.kyoto.io.Io#copyBidirectional} calls to pass end of
     * stream on. A second shutdown succeeds.
     */
    @Override
    public Poll<Void> pollShutdown(Context cx) throws IOException {
        if (pollFlush(cx).isPending()) {
            return Poll.pending();
        }
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

    /** Closes the socket. Idempotent. */
    @Override
    public void close() throws IOException {
        socket.close();
    }

    @Override
    public String toString() {
        return "UnixStream[" + local.getPath() + " -> " + peer.getPath() + "]";
    }
}
