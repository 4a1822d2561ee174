package dev.kyoto.net;

import dev.kyoto.io.AsyncRead;
import dev.kyoto.io.AsyncWrite;
import dev.kyoto.io.PollEvented;
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
 * polled. At most one read and one write may be in progress at a time. Closing deregisters the
 * socket and closes it.
 */
public final class TcpStream implements AsyncRead, AsyncWrite, AutoCloseable {
    private final PollEvented<SocketChannel> io;

    TcpStream(PollEvented<SocketChannel> io) {
        this.io = io;
    }

    /**
     * Connects to {@code HOST:PORT} (or {@code [IPV6]:PORT}). A literal address is used at once; a
     * host name is resolved on the blocking pool, and its addresses are tried in order.
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

    @Override
    public Poll<Integer> pollRead(Context cx, ByteBuffer dst) throws IOException {
        return io.pollRead(cx, dst);
    }

    @Override
    public Poll<Integer> pollWrite(Context cx, ByteBuffer src) throws IOException {
        return io.pollWrite(cx, src);
    }

    /** Shuts the write half down: the peer reads end of stream, and this side can still read. */
    public void shutdownOutput() throws IOException {
        io.channel().shutdownOutput();
    }

    /** Enables or disables Nagle's algorithm ({@code TCP_NODELAY}). */
    public void setNoDelay(boolean noDelay) throws IOException {
        io.channel().setOption(StandardSocketOptions.TCP_NODELAY, noDelay);
    }

    /** Whether {@code TCP_NODELAY} is set. */
    public boolean noDelay() throws IOException {
        return io.channel().getOption(StandardSocketOptions.TCP_NODELAY);
    }

    /** The local address of the connection. */
    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) io.channel().getLocalAddress();
    }

    /** The address of the peer. */
    public InetSocketAddress peerAddress() throws IOException {
        return (InetSocketAddress) io.channel().getRemoteAddress();
    }

    /** Deregisters and closes the socket. Idempotent. */
    @Override
    public void close() throws IOException {
        io.close();
    }

    @Override
    public String toString() {
        try {
            return "TcpStream[" + localAddress() + " -> " + peerAddress() + "]";
        } catch (IOException e) {
            return "TcpStream[closed]";
        }
    }
}
