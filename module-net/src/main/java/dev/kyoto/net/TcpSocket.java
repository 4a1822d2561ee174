package dev.kyoto.net;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A TCP socket to configure before it connects or listens: Tokio's {@code TcpSocket}.
 *
 * <pre>{@code
 * TcpSocket socket = TcpSocket.newV4();
 * socket.setReuseAddress(true);
 * socket.bind(new InetSocketAddress("127.0.0.1", 0));
 * TcpListener listener = socket.listen(1024);      // or: TcpStream s = rt.blockOn(socket.connect(peer));
 * }</pre>
 *
 * <p>The socket is real from {@link #newV4()} on: options are set on it at once (so their
 * getters read back what the kernel made of them), and
 * {@link #bind} binds it at once, failing with {@link java.net.BindException} if the address is
 * in use. {@link #connect} and {@link #listen} consume it; afterwards every method throws
 * {@link IllegalStateException}. A socket that is never consumed must be {@linkplain #close()
 * closed}.
 *
 * <p>Made on the thread of a runtime whose I/O driver owns its sockets (io_uring), the socket is
 * that driver's, and {@link #listen} listens on it as Tokio's does: every option set reaches the
 * connections it accepts. Otherwise (the selector, or no runtime on this thread) it is a JDK
 * {@link java.nio.channels.SocketChannel}, and one departure from Tokio follows, because such a
 * channel cannot become a {@link java.nio.channels.ServerSocketChannel}: {@link #listen} opens a
 * listening socket, gives it this socket's reuse-address, reuse-port and receive-buffer settings,
 * closes this socket and binds the listener to the address this socket had. Options that a JDK
 * listener cannot carry to the connections it accepts (no-delay, keep-alive, send buffer,
 * linger) then make {@code listen} fail; set them on each accepted {@link TcpStream} instead.
 *
 * <p>Addresses must be resolved and of the socket's family: an IPv6 address on a
 * {@link #newV4()} socket (or the reverse) is an {@link IllegalArgumentException}. A TcpSocket
 * is used by one thread at a time, like a builder.
 */
public final class TcpSocket implements AutoCloseable {
    private final StandardProtocolFamily family;
    /** Null once consumed or closed. */
    private TcpSocketHandle handle;
    /** Why the socket can no longer be used ("connect()", "listen()", "close()"), or null. */
    private String spentBy;

    private TcpSocket(StandardProtocolFamily family) throws IOException {
        this.family = family;
        this.handle = TcpSocketHandle.open(family);
    }

    /** A new IPv4 TCP socket. */
    public static TcpSocket newV4() throws IOException {
        return new TcpSocket(StandardProtocolFamily.INET);
    }

    /** A new IPv6 TCP socket. */
    public static TcpSocket newV6() throws IOException {
        return new TcpSocket(StandardProtocolFamily.INET6);
    }

    /** A new socket of {@code address}'s family. */
    static TcpSocket forAddress(InetSocketAddress address) throws IOException {
        return address.getAddress() instanceof Inet6Address ? newV6() : newV4();
    }

    /** Sets {@code SO_REUSEADDR}: whether {@link #bind} may reuse a local address still in use (in {@code TIME_WAIT}, say). */
    public void setReuseAddress(boolean reuse) throws IOException {
        open().setOption(StandardSocketOptions.SO_REUSEADDR, reuse);
    }

    /** Whether {@code SO_REUSEADDR} is set. */
    public boolean reuseAddress() throws IOException {
        return open().option(StandardSocketOptions.SO_REUSEADDR);
    }

    /**
     * Sets {@code SO_REUSEPORT}: whether several sockets may bind the same address and port
     * (Linux then spreads incoming connections over their listeners).
     *
     * @param reuse whether to set the option
     * @throws UnsupportedOperationException naming the platform, if the JDK does not support the
     *         option there and {@code reuse} is true
     */
    public void setReusePort(boolean reuse) throws IOException {
        TcpSocketHandle ch = open();
        if (!ch.supportsReusePort()) {
            if (reuse) {
                throw reusePortUnsupported();
            }
            return;
        }
        ch.setOption(StandardSocketOptions.SO_REUSEPORT, reuse);
    }

    /** Whether {@code SO_REUSEPORT} is set; false where the platform does not support it. */
    public boolean reusePort() throws IOException {
        TcpSocketHandle ch = open();
        return ch.supportsReusePort() && ch.option(StandardSocketOptions.SO_REUSEPORT);
    }

    static UnsupportedOperationException reusePortUnsupported() {
        return new UnsupportedOperationException("SO_REUSEPORT is not supported on "
                + System.getProperty("os.name") + " " + System.getProperty("os.version")
                + " by this JDK (java.nio offers it on Linux and macOS); bind one socket per address instead");
    }

    /**
     * Sets {@code SO_SNDBUF}, a hint: the kernel clamps it to its limits. Linux reserves twice
     * the size for bookkeeping and the JDK halves what it reads back, so {@link #sendBufferSize()}
     * shows the size set, not Tokio's doubled figure.
     *
     * @param size the size in bytes
     * @throws IllegalArgumentException if {@code size} is not positive
     */
    public void setSendBufferSize(int size) throws IOException {
        requirePositive(size, "send");
        open().setOption(StandardSocketOptions.SO_SNDBUF, size);
    }

    /** The send buffer size the kernel uses. */
    public int sendBufferSize() throws IOException {
        return open().option(StandardSocketOptions.SO_SNDBUF);
    }

    /** Sets {@code SO_RCVBUF}, a hint, as {@link #setSendBufferSize} sets the send buffer. */
    public void setReceiveBufferSize(int size) throws IOException {
        requirePositive(size, "receive");
        open().setOption(StandardSocketOptions.SO_RCVBUF, size);
    }

    /** The receive buffer size the kernel uses. */
    public int receiveBufferSize() throws IOException {
        return open().option(StandardSocketOptions.SO_RCVBUF);
    }

    private static void requirePositive(int size, String which) {
        if (size <= 0) {
            throw new IllegalArgumentException("a " + which + " buffer size must be positive, was " + size
                    + "; pass the number of bytes wanted, for example 65536");
        }
    }

    /** Sets {@code TCP_NODELAY}: true sends small writes at once instead of coalescing them (Nagle's algorithm). */
    public void setNoDelay(boolean noDelay) throws IOException {
        open().setOption(StandardSocketOptions.TCP_NODELAY, noDelay);
    }

    /** Whether {@code TCP_NODELAY} is set. */
    public boolean noDelay() throws IOException {
        return open().option(StandardSocketOptions.TCP_NODELAY);
    }

    /** Sets {@code SO_KEEPALIVE}: whether the kernel probes an idle connection to find a dead peer. */
    public void setKeepAlive(boolean keepAlive) throws IOException {
        open().setOption(StandardSocketOptions.SO_KEEPALIVE, keepAlive);
    }

    /** Whether {@code SO_KEEPALIVE} is set. */
    public boolean keepAlive() throws IOException {
        return open().option(StandardSocketOptions.SO_KEEPALIVE);
    }

    /**
     * Sets {@code SO_LINGER} in whole seconds, or turns it off with null (the default). Zero
     * makes closing the connection abort it with a reset instead of an orderly close; see
     * {@link #setZeroLinger()}. A non-zero linger has no effect on Kyoto's streams: it is turned
     * off as a stream closes (the JDK does so for a channel registered with a selector, the
     * io_uring driver for its own sockets), so that close never blocks a worker (Tokio deprecates
     * {@code set_linger} for the same reason).
     *
     * @param linger whole seconds to linger, zero to reset on close, or null for off
     * @throws IllegalArgumentException if {@code linger} is negative or not a whole number of seconds
     */
    public void setLinger(Duration linger) throws IOException {
        open().setOption(StandardSocketOptions.SO_LINGER, lingerSeconds(linger));
    }

    /** Sets {@code SO_LINGER} to zero: closing the connection then resets it (RST) instead of closing it in order. */
    public void setZeroLinger() throws IOException {
        setLinger(Duration.ZERO);
    }

    /** The {@code SO_LINGER} setting, empty when off. */
    public Optional<Duration> linger() throws IOException {
        int seconds = open().option(StandardSocketOptions.SO_LINGER);
        return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
    }

    /** The {@code SO_LINGER} value for {@code linger}: -1 for off (null), else whole seconds. */
    static int lingerSeconds(Duration linger) {
        if (linger == null) {
            return -1;
        }
        if (linger.isNegative() || linger.getNano() != 0 || linger.getSeconds() > 65_535) {
            throw new IllegalArgumentException("SO_LINGER takes a whole number of seconds from 0 to 65535, was "
                    + linger + "; use Duration.ofSeconds(n), Duration.ZERO for an abortive close, or null for off");
        }
        return (int) linger.getSeconds();
    }

    /**
     * Binds the socket to {@code address} at once (port 0 picks a free port; see
     * {@link #localAddress()}).
     *
     * @param address a resolved address of the socket's family
     * @throws java.net.BindException if the address is in use or not local
     * @throws IllegalArgumentException if the address is unresolved or of the other family
     */
    public void bind(SocketAddress address) throws IOException {
        InetSocketAddress a = checkAddress(address, "bind to");
        try {
            open().bind(a);
        } catch (IOException e) {
            throw AddressedErrors.bindFailed(a, e);
        }
    }

    /**
     * The address the socket is bound to, or empty before {@link #bind}.
     *
     * @throws IllegalStateException if the socket was consumed or closed
     */
    public Optional<InetSocketAddress> localAddress() {
        TcpSocketHandle ch = open();
        try {
            return ch.localAddress();
        } catch (IOException closedMeanwhile) {
            // The system fails here only for a closed socket: closed by another thread since open().
            throw new IllegalStateException("this TcpSocket was closed", closedMeanwhile);
        }
    }

    /**
     * Connects to {@code address}, consuming this socket: the computation owns it from now on.
     * The connect starts when the computation is first polled, on the runtime polling it. If the
     * connect fails (a {@link java.net.ConnectException} when refused) or the computation is
     * cancelled, the socket is closed.
     *
     * @param address a resolved address of the socket's family
     * @return the connect, to poll or {@code blockOn}
     * @throws IllegalArgumentException if the address is unresolved or of the other family
     * @throws IllegalStateException if the socket was already consumed or closed
     */
    public Async<TcpStream> connect(SocketAddress address) {
        InetSocketAddress a = checkAddress(address, "connect to");
        return new SocketConnect(take("connect()"), a);
    }

    /**
     * Listens with room for {@code backlog} pending connections (the kernel caps it at
     * {@code net.core.somaxconn}), consuming this socket. Unbound, it listens on the wildcard
     * address at a free port. Like Tokio's, it needs a runtime with I/O on this thread (call it
     * from a task, or inside {@code handle.enter()}); without one it throws
     * {@link IllegalStateException} naming the fix and the socket is left as it was.
     *
     * <p>On a JDK channel the listening socket is a new one (see the class comment): it takes
     * this socket's reuse-address, reuse-port and receive-buffer settings and is bound to the
     * address this socket was bound to. Between closing this socket and binding the listener the
     * port is briefly free; if another process takes it then, {@code listen} fails with
     * {@link java.net.BindException}. The driver's own socket listens itself, options and all.
     *
     * @param backlog how many connections may wait to be accepted
     * @return the listener, registered with the runtime on this thread
     * @throws IllegalArgumentException if {@code backlog} is less than 1
     * @throws IllegalStateException if no runtime with I/O runs on this thread, or, on a JDK
     *         channel, an option a listener cannot carry was set (in both cases the socket is not
     *         consumed), or the socket was already consumed or closed
     */
    public TcpListener listen(int backlog) throws IOException {
        if (backlog < 1) {
            throw new IllegalArgumentException("a listen backlog must be at least 1, was " + backlog
                    + "; TcpListener.BACKLOG (" + TcpListener.BACKLOG + ") is a good default");
        }
        TcpSocketHandle ch = open();
        try {
            return ch.listen(backlog);
        } finally {
            if (ch.spent()) {
                handle = null;
                spentBy = "listen()";
            }
        }
    }

    /** Closes the socket if it was not consumed. Idempotent. */
    @Override
    public void close() throws IOException {
        TcpSocketHandle ch = handle;
        handle = null;
        if (spentBy == null) {
            spentBy = "close()";
        }
        if (ch != null) {
            ch.close();
        }
    }

    /** Hands the socket over to whoever consumes it ({@link #connect}, the connector). */
    TcpSocketHandle take(String by) {
        TcpSocketHandle ch = open();
        handle = null;
        spentBy = by;
        return ch;
    }

    private TcpSocketHandle open() {
        if (handle == null) {
            throw new IllegalStateException("this TcpSocket was " + ("close()".equals(spentBy) ? "closed"
                    : "consumed by " + spentBy) + "; a TcpSocket connects or listens once, so create a new one");
        }
        return handle;
    }

    private InetSocketAddress checkAddress(SocketAddress address, String verb) {
        Objects.requireNonNull(address, "address");
        if (!(address instanceof InetSocketAddress a)) {
            throw new IllegalArgumentException("a TcpSocket can only " + verb + " an InetSocketAddress, was " + address);
        }
        if (a.isUnresolved()) {
            throw new IllegalArgumentException("a TcpSocket cannot " + verb + " the unresolved address " + address
                    + "; resolve it with Dns.lookup first, or let TcpStream.connect or TcpConnector resolve it");
        }
        boolean v6 = family == StandardProtocolFamily.INET6;
        if (v6 ? a.getAddress() instanceof Inet4Address : a.getAddress() instanceof Inet6Address) {
            throw new IllegalArgumentException("an " + (v6 ? "IPv6" : "IPv4") + " TcpSocket cannot " + verb
                    + " the " + (v6 ? "IPv4" : "IPv6") + " address " + address + "; create the socket with TcpSocket."
                    + (v6 ? "newV4()" : "newV6()"));
        }
        return a;
    }

    @Override
    public String toString() {
        if (handle == null) {
            return "TcpSocket[" + ("close()".equals(spentBy) ? "closed" : "consumed by " + spentBy) + "]";
        }
        try {
            Optional<InetSocketAddress> local = handle.localAddress();
            return "TcpSocket[" + (family == StandardProtocolFamily.INET6 ? "IPv6" : "IPv4") + ", " + handle.kind()
                    + local.map(a -> ", bound to " + SocketAddresses.format(a)).orElse(", unbound") + "]";
        } catch (IOException e) {
            return "TcpSocket[" + e + "]";
        }
    }

    /** The connect of a consumed socket: starts on first poll, closes the socket on failure or cancel. */
    private static final class SocketConnect implements Async<TcpStream> {
        private final InetSocketAddress address;
        private TcpSocketHandle socket;
        private ConnectAttempt attempt;

        SocketConnect(TcpSocketHandle socket, InetSocketAddress address) {
            this.socket = socket;
            this.address = address;
        }

        @Override
        public Poll<TcpStream> poll(Context cx) throws Exception {
            if (attempt == null) {
                TcpSocketHandle s = socket;
                socket = null;
                attempt = s.connect(address);
            }
            Poll<TcpStream> p;
            try {
                p = attempt.poll(cx);
            } catch (IOException e) {
                IOException closing = attempt.close();
                if (closing != null) {
                    e.addSuppressed(closing);
                }
                throw e;
            }
            return p;
        }

        @Override
        public void cancel() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // Nobody is left to tell: the computation was abandoned.
                }
            }
            if (attempt != null) {
                attempt.close();
            }
        }
    }
}
