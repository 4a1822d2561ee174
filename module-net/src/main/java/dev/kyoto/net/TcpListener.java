package dev.kyoto.net;

import dev.kyoto.io.Interest;
import dev.kyoto.io.PollEvented;
import dev.kyoto.io.spi.ListenerSocket;
import dev.kyoto.io.spi.SocketDriver;
import dev.kyoto.io.spi.StreamSocket;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.spi.DriverHandle;
import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Objects;

/**
 * A TCP listening socket on the runtime's reactor.
 *
 * <pre>{@code
 * TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
 * TcpStream client = rt.blockOn(listener.accept());
 * }</pre>
 *
 * <p>The socket is bound with {@code SO_REUSEADDR} and a backlog of {@value #BACKLOG}. A pending
 * {@link #accept()} fails with the runtime's shutdown error when its runtime shuts down.
 *
 * <p><b>Accept failures, and what a server does with them.</b> An accept fails for one of two
 * kinds of reasons. Either the listener is finished: it was closed ("listener closed"), or its
 * runtime is shutting down ({@link dev.kyoto.runtime.KyotoRuntime#isShutdownError}); every later
 * accept fails the same way, and a server's accept loop must end. Or the listener is fine and the
 * moment is not, and the failure concerns one connection: the process or the system is out of
 * descriptors ({@code EMFILE}, {@code ENFILE}: "Too many open files"), the kernel is out of memory
 * for the socket ({@code ENOBUFS}, {@code ENOMEM}), or the connection was aborted while it waited
 * ({@code ECONNABORTED}). The JDK reports each of these as a plain {@link IOException} with the
 * system's message and no error number. Connections already accepted are not affected, and the
 * waiting connection stays in the backlog, so an accept tried again at once fails again at once.
 * A server must not end on such a failure, nor retry in a busy loop: it reports it (rate-limited:
 * out of descriptors, every accept fails), pauses briefly and accepts again, and serves again once
 * descriptors are free. {@link AcceptBackoff} is that accept:
 *
 * <pre>{@code
 * static Async<Void> acceptLoop(TcpListener listener, AcceptBackoff backoff) {
 *     return backoff.accept(listener).then(stream -> {
 *         Handle.current().spawn(serve(stream));    // which closes the stream when done
 *         return acceptLoop(listener, backoff);
 *     });
 * }
 * }</pre>
 */
public final class TcpListener implements AutoCloseable {
    /** The listen backlog; the kernel caps it at {@code net.core.somaxconn}. */
    public static final int BACKLOG = 1024;
    private final ListenerSocket socket;
    /** The bound address, read once: a listening socket's address never changes. */
    private final InetSocketAddress local;
    /**
     * Set by {@link #close()}, on whichever thread closes, before the socket is deregistered;
     * read by {@link AcceptBackoff} on the accepting task's thread to tell a closed listener from
     * a failure that leaves it usable. Only ever goes from false to true.
     */
    private volatile boolean closed;

    /** Takes over a bound socket's registration; closes it if the socket was closed under it. */
    TcpListener(PollEvented<ServerSocketChannel> io) throws IOException {
        this(new ChannelListenerSocket(io));
    }

    /** Takes over a listening socket: a registered channel, or one the runtime's driver owns. */
    TcpListener(ListenerSocket socket) {
        this.socket = socket;
        this.local = (InetSocketAddress) socket.localAddress();
    }

    /**
     * Binds to {@code HOST:PORT} (port 0 picks a free port). A host name is resolved on the
     * blocking pool and its addresses are tried in order; if all fail the last error is thrown.
     * An address in use fails with a {@link java.net.BindException} that names it
     * ({@code Address already in use: 127.0.0.1:7000}), the JDK's own error as its cause.
     *
     * @throws IllegalArgumentException at once if the text is not of that form
     */
    public static Async<TcpListener> bind(String hostAndPort) {
        return bindAll(Dns.lookup(hostAndPort));
    }

    /** Binds to {@code address}; an unresolved address is resolved on the blocking pool. */
    public static Async<TcpListener> bind(SocketAddress address) {
        Objects.requireNonNull(address, "address");
        if (!(address instanceof InetSocketAddress isa)) {
            throw new IllegalArgumentException("TcpListener.bind takes an InetSocketAddress, was " + address);
        }
        return bindAll(isa.isUnresolved() ? Dns.lookup(isa.getHostString(), isa.getPort()) : Async.ready(List.of(isa)));
    }

    private static Async<TcpListener> bindAll(Async<List<InetSocketAddress>> resolving) {
        return new Async<>() {
            @Override
            public Poll<TcpListener> poll(Context cx) throws Exception {
                Poll<List<InetSocketAddress>> p = resolving.poll(cx);
                if (p.isPending()) {
                    return Poll.pending();
                }
                IOException last = new IOException("could not resolve to any address");
                for (InetSocketAddress a : p.value()) {
                    try {
                        return Poll.ready(bindOne(a));
                    } catch (IOException e) {
                        last = e;
                    }
                }
                throw last;
            }

            @Override
            public void cancel() {
                resolving.cancel();
            }
        };
    }

    private static TcpListener bindOne(InetSocketAddress address) throws IOException {
        if (DriverHandle.current().io().driver() instanceof SocketDriver owner) {
            try {
                return new TcpListener(owner.listen(address, BACKLOG));
            } catch (BindException e) {
                throw AddressedErrors.bindFailed(address, e);
            }
        }
        ServerSocketChannel ch = ServerSocketChannel.open(
                address.getAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            try {
                ch.bind(address, BACKLOG);
            } catch (IOException e) {
                throw AddressedErrors.bindFailed(address, e);
            }
            return new TcpListener(PollEvented.register(ch, Interest.READABLE));
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Accepts the next connection. Any number of tasks may accept on one listener at once; each
     * connection goes to exactly one of them. A failure may leave the listener usable (see the
     * class comment): a server accepts through {@link AcceptBackoff} instead, which rides those out.
     */
    public Async<TcpStream> accept() {
        return socket.accept().map(TcpStream::new);
    }

    /**
     * Polls for the next connection on the listener's single accept slot, for hand-written
     * computations: one task polls at a time (a second takes the first one's place). Use
     * {@link #accept()} from several tasks instead.
     */
    public Poll<TcpStream> pollAccept(Context cx) throws IOException {
        Poll<StreamSocket> p = socket.pollAccept(cx);
        return p.isPending() ? Poll.pending() : Poll.ready(new TcpStream(p.value()));
    }

    /**
     * Whether {@link #close()} has not begun. An accept that fails because the listener closed
     * sees this false: close sets it before it deregisters, which is what wakes the accept.
     */
    boolean isOpen() {
        return !closed;
    }

    /**
     * The bound address; with port 0, the port the system picked. Also after {@link #close()}: the
     * address the listener had. Print it with {@link SocketAddresses#format}:
     * {@code 127.0.0.1:7000}, {@code [::1]:7000}.
     */
    public InetSocketAddress localAddress() {
        return local;
    }

    /**
     * The time-to-live the connections this listener accepts start with ({@code IP_TTL}; the hop
     * limit, {@code IPV6_UNICAST_HOPS}, on IPv6), as Tokio's {@code TcpListener::ttl}.
     *
     * @throws UnsupportedOperationException on the selector driver, whose JDK sockets have no
     *         such option; it names the io_uring module that has
     */
    public int ttl() throws IOException {
        return socket.ttl();
    }

    /**
     * Sets the time-to-live of the connections accepted from now on (they inherit it from the
     * listening socket); see {@link #ttl()}.
     *
     * @throws IllegalArgumentException if {@code ttl} is not 1 to 255
     * @throws UnsupportedOperationException on the selector driver, as {@link #ttl()}
     */
    public void setTtl(int ttl) throws IOException {
        if (ttl < 1 || ttl > 255) {
            throw new IllegalArgumentException("ttl must be 1 to 255, was " + ttl);
        }
        socket.setTtl(ttl);
    }

    /**
     * Deregisters and closes the listening socket; idempotent. Tasks waiting in {@link #accept()}
     * are woken and fail with "listener closed".
     */
    @Override
    public void close() throws IOException {
        closed = true;
        socket.close();
    }

    /** {@code TcpListener[127.0.0.1:7000]}, the address as {@link SocketAddresses#format} writes it. */
    @Override
    public String toString() {
        return "TcpListener[" + SocketAddresses.format(local) + "]";
    }
}
