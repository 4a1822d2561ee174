package dev.kyoto.net;

import dev.kyoto.io.AsyncRead;
import dev.kyoto.io.AsyncWrite;
import dev.kyoto.io.Interest;
import dev.kyoto.io.PollEvented;
import dev.kyoto.io.Ready;
import dev.kyoto.io.spi.StreamSocket;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A TCP connection on the runtime's reactor.
 *
 * <pre>{@code
 * TcpStream s = rt.blockOn(TcpStream.connect("127.0.0.1:7000"));
 * rt.blockOn(s.writeAll(ByteBuffer.wrap(hello)));
 * int n = rt.blockOn(s.read(buffer));            // -1 at end of stream
 * }</pre>
 *
 * <p>It is an {@link AsyncRead} and an {@link AsyncWrite}: {@code read}, {@code write},
 * {@code readExact} and {@code writeAll} return {@link Async} values that do nothing until
 * polled. At most one read and one write may be in progress at a time: to read in one task and
 * write in another, {@link #split()} it (or {@link #intoSplit()} it, to hand the halves over).
 * {@link #readable()}, {@link #writable()} and {@link #ready(Interest)} may be awaited by any
 * number of tasks at once; {@link #tryRead}/{@link #tryWrite} never wait. A write completes when
 * its bytes are in the kernel's send buffer, so a writer to a peer that does not read waits
 * instead of queueing without bound.
 *
 * <p>Closing deregisters the socket and closes it; tasks still waiting on it then fail with
 * {@code IOException("stream closed")}.
 */
public final class TcpStream implements AsyncRead, AsyncWrite, AutoCloseable {
    private static final Interest READ_WRITE = Interest.READABLE.add(Interest.WRITABLE);

    private final TcpCore core;
    /** Set while the stream is spent: split into owned halves, or given up by intoChannel. Written by its owner. */
    private boolean split;

    /** Takes over a connected socket's registration; closes it if the socket was closed under it. */
    TcpStream(PollEvented<SocketChannel> io) throws IOException {
        this(new ChannelStreamSocket(io));
    }

    /** Takes over a connected socket; closes it if the socket was closed under it. */
    TcpStream(StreamSocket socket) throws IOException {
        this.core = new TcpCore(socket);
    }

    /**
     * Connects to {@code HOST:PORT} (or {@code [IPV6]:PORT}). A literal address is used at once; a
     * host name is resolved on the blocking pool, and its addresses are tried in order. A failed
     * attempt's error names the address it tried, keeping the JDK's type and (as its cause) its
     * error: {@code java.net.ConnectException: Connection refused: 127.0.0.1:7000}.
     *
     * @throws IllegalArgumentException at once if the text is not of that form
     */
    public static Async<TcpStream> connect(String hostAndPort) {
        return new Connect(Dns.lookup(hostAndPort));
    }

    /** Connects to {@code host} (a name or a literal) at {@code port}; see {@link #connect(String)}. */
    public static Async<TcpStream> connect(String host, int port) {
        return new Connect(Dns.lookup(host, port));
    }

    /**
     * Connects to {@code address}. An unresolved {@link InetSocketAddress} is resolved on the
     * blocking pool.
     */
    public static Async<TcpStream> connect(SocketAddress address) {
        Objects.requireNonNull(address, "address");
        if (address instanceof InetSocketAddress isa && isa.isUnresolved()) {
            return connect(isa.getHostString(), isa.getPort());
        }
        return connect(List.of(address));
    }

    /**
     * Tries each address in order; the first that connects wins, and if all fail the last error
     * is thrown. An empty list fails with "could not resolve to any address".
     *
     * @throws IllegalArgumentException if an address is not an {@link InetSocketAddress} or is unresolved
     */
    public static Async<TcpStream> connect(List<? extends SocketAddress> addresses) {
        List<InetSocketAddress> inet = new ArrayList<>(addresses.size());
        for (SocketAddress a : addresses) {
            if (!(a instanceof InetSocketAddress isa) || isa.isUnresolved()) {
                throw new IllegalArgumentException("TcpStream.connect takes resolved InetSocketAddresses, was " + a
                        + "; pass a HOST:PORT string to have a name resolved");
            }
            inet.add(isa);
        }
        return new Connect(Async.ready(List.copyOf(inet)));
    }

    /**
     * Connects to {@code HOST:PORT} within {@code timeout}, which covers name resolution and every
     * address tried; on expiry the half-open socket is closed and a
     * {@link java.net.SocketTimeoutException} names the address and the timeout. Needs a runtime
     * with timers ({@code enableTime()} or {@code enableAll()}).
     */
    public static Async<TcpStream> connect(String hostAndPort, Duration timeout) {
        return new ConnectTimeout(connect(hostAndPort), hostAndPort, timeout);
    }

    /** Connects to {@code host} at {@code port} within {@code timeout}; see {@link #connect(String, Duration)}. */
    public static Async<TcpStream> connect(String host, int port, Duration timeout) {
        return new ConnectTimeout(connect(host, port), host + ":" + port, timeout);
    }

    /** Connects to {@code address} within {@code timeout}; see {@link #connect(String, Duration)}. */
    public static Async<TcpStream> connect(SocketAddress address, Duration timeout) {
        return new ConnectTimeout(connect(address), address, timeout);
    }

    /** Tries {@code addresses} in order, all within {@code timeout}; see {@link #connect(String, Duration)}. */
    public static Async<TcpStream> connect(List<? extends SocketAddress> addresses, Duration timeout) {
        return new ConnectTimeout(connect(addresses), addresses, timeout);
    }

    /**
     * Takes over a connected {@link SocketChannel}: switches it to non-blocking mode and
     * registers it with the reactor of the runtime running on this thread. For interop with code
     * that connects sockets itself.
     *
     * @throws IllegalArgumentException if the channel is not connected (nothing is changed then)
     * @throws IOException if registration fails; the channel is left open, still the caller's
     */
    public static TcpStream from(SocketChannel channel) throws IOException {
        Objects.requireNonNull(channel, "channel");
        if (!channel.isConnected()) {
            throw new IllegalArgumentException("TcpStream.from takes a connected SocketChannel, was " + channel
                    + "; connect it first, or use TcpStream.connect");
        }
        return new TcpStream(PollEvented.register(channel, READ_WRITE));
    }

    /**
     * Gives the channel back for use outside the runtime: completes, with the channel open and
     * still in non-blocking mode (as Tokio's {@code into_std}), once the reactor has let go of it.
     * The JDK releases a selector registration only at the selector's next turn, so this waits
     * for that turn; then {@code configureBlocking(true)} and registering elsewhere both work.
     * A stream whose socket the runtime's driver owns (io_uring) has no channel to give: the
     * computation fails with {@link UnsupportedOperationException}, and the stream stays usable.
     */
    public Async<SocketChannel> intoChannel() {
        return new IntoChannel(this);
    }

    /** Deregisters for {@link #intoChannel()}; the stream is spent afterwards. */
    SocketChannel detach() {
        TcpCore c = use0();
        if (c.channel == null) {
            throw new UnsupportedOperationException("this stream's socket is owned by the runtime's I/O driver ("
                    + c.socket.getClass().getSimpleName() + "), not a java.nio channel, so there is no channel to give "
                    + "back; run on the selector driver (-Dkyoto.io.driver=nio) to use intoChannel()");
        }
        split = true;
        c.channel.deregister();
        return c.channel.channel();
    }

    @Override
    public Poll<Integer> pollRead(Context cx, ByteBuffer dst) throws IOException {
        return use().pollRead(cx, dst);
    }

    @Override
    public Poll<Integer> pollWrite(Context cx, ByteBuffer src) throws IOException {
        return use().socket.pollWrite(cx, src);
    }

    /**
     * Reads into {@code dst} without removing the bytes: the next read or peek returns them
     * again. Completes with the number of bytes (at least one), or -1 at end of stream.
     *
     * <p>On the io_uring driver the peek is a true one: it returns what has arrived, up to the
     * driver's receive chunk (512 B, a size up each time the connection fills one, to 64 KiB),
     * and a later larger peek sees more if more has arrived. On the selector driver the JDK cannot
     * receive with {@code MSG_PEEK}, so the stream reads the bytes into a buffer of its own (at
     * least as large as {@code dst}) and serves reads from it first; a peek there may return fewer
     * bytes than the kernel holds. Peeking is a read: one task at a time.
     */
    public Async<Integer> peek(ByteBuffer dst) {
        Objects.requireNonNull(dst, "dst");
        return cx -> use().pollPeek(cx, dst);
    }

    /** Polls a {@link #peek(ByteBuffer)}, for hand-written computations. */
    public Poll<Integer> pollPeek(Context cx, ByteBuffer dst) throws IOException {
        return use().pollPeek(cx, dst);
    }

    /**
     * Reads what is available without waiting.
     *
     * @return the number of bytes read, -1 at end of stream, or 0 if nothing is available (or
     *         {@code dst} is full), the JDK's non-blocking convention where Tokio says "would block"
     */
    public int tryRead(ByteBuffer dst) throws IOException {
        return use().tryRead(dst);
    }

    /**
     * Writes what the kernel will take without waiting.
     *
     * @return the number of bytes written, or 0 if the socket's send buffer is full (or
     *         {@code src} is empty)
     */
    public int tryWrite(ByteBuffer src) throws IOException {
        return use().tryWrite(src);
    }

    /** Writes from {@code srcs}, in order, with one gathering write ({@link #write(ByteBuffer[])}). */
    @Override
    public Poll<Long> pollWriteVectored(Context cx, ByteBuffer[] srcs) throws IOException {
        return use().socket.pollWriteVectored(cx, srcs);
    }

    /**
     * Waits until the stream is readable (or at end of stream). Any number of tasks may wait at
     * once. Readiness is a hint: a {@link #tryRead} afterwards may still find nothing, and then
     * clears it, so that the next wait waits for new data.
     */
    public Async<Void> readable() {
        return new CoreReady(this::use, Interest.READABLE).map(r -> null);
    }

    /** Waits until the stream is writable; any number of tasks may wait at once. See {@link #readable()}. */
    public Async<Void> writable() {
        return new CoreReady(this::use, Interest.WRITABLE).map(r -> null);
    }

    /**
     * Waits until the stream has any readiness that {@code interest} asks for, and completes with
     * it. Any number of tasks may wait at once, each woken on its own.
     */
    public Async<Ready> ready(Interest interest) {
        Objects.requireNonNull(interest, "interest");
        return new CoreReady(this::use, interest);
    }

    /**
     * Read readiness on the single reader slot, for hand-written computations: the readiness, or
     * pending with this task stored as the stream's one reader.
     */
    public Poll<Ready> pollReadReady(Context cx) throws IOException {
        return use().pollReadReady(cx);
    }

    /** Write readiness on the single writer slot, for hand-written computations. */
    public Poll<Ready> pollWriteReady(Context cx) throws IOException {
        return use().socket.pollWriteReady(cx);
    }

    /**
     * Borrowed halves, for reading in one task while another writes. The stream keeps owning the
     * connection: closing it ends both halves.
     */
    public Split split() {
        TcpCore c = use0();
        return new Split(new TcpReadHalf(c), new TcpWriteHalf(c));
    }

    /**
     * Owned halves that may each move to another task: closing the write half shuts the write
     * direction down, and the connection closes when both are closed. This stream is spent until
     * {@link OwnedTcpReadHalf#reunite} gives it back.
     */
    public OwnedSplit intoSplit() {
        TcpCore c = use0();
        split = true;
        return new OwnedSplit(new OwnedTcpReadHalf(this, c), new OwnedTcpWriteHalf(this, c));
    }

    /** The halves of {@link #split()}. */
    public record Split(TcpReadHalf read, TcpWriteHalf write) {
    }

    /** The halves of {@link #intoSplit()}. */
    public record OwnedSplit(OwnedTcpReadHalf read, OwnedTcpWriteHalf write) {
    }

    static TcpStream reunite(OwnedTcpReadHalf read, OwnedTcpWriteHalf write) {
        Objects.requireNonNull(read, "read");
        Objects.requireNonNull(write, "write");
        HalfOwnership r = read.ownership;
        HalfOwnership w = write.ownership;
        if (r.stream() != w.stream()) {
            throw new ReuniteException(read, write);
        }
        if (r.isSpent() || w.isSpent()) {
            throw new IllegalStateException("a closed half cannot be reunited; the connection was "
                    + (r.isSpent() && w.isSpent() ? "closed" : "half given up") + " when the half was closed");
        }
        r.spend();
        w.spend();
        TcpStream stream = r.stream();
        stream.split = false;
        return stream;
    }

    /** Shuts the write half down: the peer reads end of stream, and this side can still read. */
    public void shutdownOutput() throws IOException {
        use().socket.shutdownOutput();
    }

    /**
     * Waits until what was written has been handed to the kernel: at once on the selector
     * driver, whose writes go straight to the socket; on a driver that takes written bytes into
     * a buffer of its own (io_uring), once they have been sent.
     */
    @Override
    public Poll<Void> pollFlush(Context cx) throws IOException {
        return use().socket.pollFlush(cx);
    }

    /**
     * Shuts the write half down ({@code FIN}) once what was written has been handed to the kernel
     * ({@link #pollFlush}; at once on the selector driver): what
     * {@link dev.kyoto.io.Io#copyBidirectional} calls to pass end of stream on. Waiting for the
     * flush means the end is sent when this completes, not when some later turn of the runtime
     * sees the last send finish. A second shutdown, or one after the peer reset, succeeds.
     */
    @Override
    public Poll<Void> pollShutdown(Context cx) throws IOException {
        if (pollFlush(cx).isPending()) {
            return Poll.pending();
        }
        shutdownOutput();
        return Poll.ready(null);
    }

    /** Enables or disables Nagle's algorithm ({@code TCP_NODELAY}). */
    public void setNoDelay(boolean noDelay) throws IOException {
        use().socket.setOption(StandardSocketOptions.TCP_NODELAY, noDelay);
    }

    /** Whether {@code TCP_NODELAY} is set. */
    public boolean noDelay() throws IOException {
        return use().socket.getOption(StandardSocketOptions.TCP_NODELAY);
    }

    /** Enables or disables {@code SO_KEEPALIVE}: probes on an idle connection. */
    public void setKeepAlive(boolean keepAlive) throws IOException {
        use().socket.setOption(StandardSocketOptions.SO_KEEPALIVE, keepAlive);
    }

    /** Whether {@code SO_KEEPALIVE} is set. */
    public boolean keepAlive() throws IOException {
        return use().socket.getOption(StandardSocketOptions.SO_KEEPALIVE);
    }

    /** Sets {@code SO_SNDBUF}, a hint the kernel may round; read it back with {@link #sendBufferSize()}. */
    public void setSendBufferSize(int bytes) throws IOException {
        use().socket.setOption(StandardSocketOptions.SO_SNDBUF, bytes);
    }

    /** The {@code SO_SNDBUF} size. */
    public int sendBufferSize() throws IOException {
        return use().socket.getOption(StandardSocketOptions.SO_SNDBUF);
    }

    /** Sets {@code SO_RCVBUF}, a hint the kernel may round; read it back with {@link #receiveBufferSize()}. */
    public void setReceiveBufferSize(int bytes) throws IOException {
        use().socket.setOption(StandardSocketOptions.SO_RCVBUF, bytes);
    }

    /** The {@code SO_RCVBUF} size. */
    public int receiveBufferSize() throws IOException {
        return use().socket.getOption(StandardSocketOptions.SO_RCVBUF);
    }

    /**
     * Sets {@code SO_LINGER} (whole seconds): {@link Duration#ZERO} makes closing reset the
     * connection at once; null turns lingering off, the default. A positive linger reads back but
     * is turned off as the stream closes, on either driver, so that a close never blocks the
     * thread that makes it (see {@link TcpSocket#setLinger}).
     *
     * @throws IllegalArgumentException if {@code linger} is negative
     */
    public void setLinger(Duration linger) throws IOException {
        int seconds = -1;
        if (linger != null) {
            if (linger.isNegative()) {
                throw new IllegalArgumentException("linger cannot be negative, was " + linger + "; use null to turn it off");
            }
            seconds = (int) Math.min(Integer.MAX_VALUE, linger.toSeconds());
        }
        use().socket.setOption(StandardSocketOptions.SO_LINGER, seconds);
    }

    /** Sets a zero linger: closing the stream resets the connection ({@code RST}) instead of ending it. */
    public void setZeroLinger() throws IOException {
        setLinger(Duration.ZERO);
    }

    /** The {@code SO_LINGER} setting: empty when lingering is off. */
    public Optional<Duration> linger() throws IOException {
        int seconds = use().socket.getOption(StandardSocketOptions.SO_LINGER);
        return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
    }

    /**
     * The time-to-live of the packets this connection sends ({@code IP_TTL}; the hop limit,
     * {@code IPV6_UNICAST_HOPS}, on IPv6), as Tokio's {@code TcpStream::ttl}.
     *
     * @throws UnsupportedOperationException on the selector driver, whose JDK sockets have no
     *         such option; it names the io_uring module that has
     */
    public int ttl() throws IOException {
        return use().socket.ttl();
    }

    /**
     * Sets the time-to-live of the packets this connection sends; see {@link #ttl()}.
     *
     * @throws IllegalArgumentException if {@code ttl} is not 1 to 255
     * @throws UnsupportedOperationException on the selector driver, as {@link #ttl()}
     */
    public void setTtl(int ttl) throws IOException {
        if (ttl < 1 || ttl > 255) {
            throw new IllegalArgumentException("ttl must be 1 to 255, was " + ttl);
        }
        use().socket.setTtl(ttl);
    }

    /**
     * Takes the socket's pending error ({@code SO_ERROR}) and clears it, as Tokio's
     * {@code TcpStream::take_error}: empty when there is none. A read or write that meets the
     * error reports it (and takes it) first.
     *
     * @throws UnsupportedOperationException on the selector driver, whose JDK sockets cannot read
     *         the pending error; it names the io_uring module that can
     */
    public Optional<IOException> takeError() throws IOException {
        return use().socket.takeError();
    }

    /**
     * The local address of the connection, as it was when the connection was made: also after
     * {@link #close()}, and after {@link #intoSplit()} (the halves return it too). Print it with
     * {@link SocketAddresses#format}.
     */
    public InetSocketAddress localAddress() {
        return core.local;
    }

    /**
     * The address of the peer, as it was when the connection was made: also after
     * {@link #close()} (for a log line about the connection that ended), and after
     * {@link #intoSplit()}.
     */
    public InetSocketAddress peerAddress() {
        return core.peer;
    }

    /**
     * Deregisters and closes the socket; idempotent. Tasks waiting on the stream are woken and
     * fail with "stream closed", as does any later operation.
     */
    @Override
    public void close() throws IOException {
        core.close();
    }

    private TcpCore use() throws IOException {
        if (split) {
            throw spent();
        }
        return core;
    }

    private TcpCore use0() {
        if (split) {
            throw spent();
        }
        return core;
    }

    private static IllegalStateException spent() {
        return new IllegalStateException("this TcpStream was split with intoSplit() or given up with intoChannel(); "
                + "use its owned halves, or reunite them to get the stream back");
    }

    /** {@code TcpStream[127.0.0.1:50312 -> 127.0.0.1:7000]}, addresses as {@link SocketAddresses#format} writes them. */
    @Override
    public String toString() {
        return "TcpStream[" + SocketAddresses.format(core.local) + " -> " + SocketAddresses.format(core.peer) + "]";
    }
}
