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
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A Unix-domain listening socket: on the io_uring driver a socket the driver owns, on the
 * selector driver a JDK {@code ServerSocketChannel}.
 *
 * <pre>{@code
 * UnixListener listener = rt.blockOn(UnixListener.bind(Path.of("/run/app.sock")));
 * UnixStream client = rt.blockOn(listener.accept());
 * }</pre>
 *
 * <p>Binding creates the socket file; a path that already exists (bound by another socket, or left
 * over) is a {@link java.net.BindException}. Closing the listener does <b>not</b> delete the file,
 * as in Tokio and the JDK: delete it yourself when done, typically with
 * {@code Files.deleteIfExists(path)} after {@link #close()}. {@link #accept()} may be awaited by
 * any number of tasks at once; each connection completes one of them.
 *
 * <p><b>Accept failures.</b> As for {@link TcpListener}: a closed listener ("listener closed") and
 * the runtime's shutdown error ({@link dev.kyoto.runtime.KyotoRuntime#isShutdownError}) end
 * accepting for good; any other {@link IOException} (the process out of descriptors,
 * {@code EMFILE}, "Too many open files"; the kernel out of memory, {@code ENOBUFS}/{@code ENOMEM};
 * a connection aborted while it waited) concerns one connection and leaves the listener usable.
 * A server reports it, pauses briefly and accepts again, as {@link AcceptBackoff#accept(UnixListener)}
 * does, rather than end or retry at once (the waiting connection stays queued, so an immediate
 * retry fails again at once).
 */
public final class UnixListener implements AutoCloseable {
    /** The listen backlog, TcpListener's: the kernel caps it at {@code net.core.somaxconn}. */
    private static final int BACKLOG = 1024;

    private final ListenerSocket socket;
    /** The bound address, read once: a listening socket's address never changes. */
    private final UnixDomainSocketAddress local;
    /**
     * Set by {@link #close()}, on whichever thread closes, before the socket is closed; read by
     * {@link AcceptBackoff} on the accepting task's thread to tell a closed listener from a
     * failure that leaves it usable. Only ever goes from false to true.
     */
    private volatile boolean closed;

    /** Takes over a listening socket: a registered channel, or one the runtime's driver owns. */
    private UnixListener(ListenerSocket socket) {
        this.socket = socket;
        this.local = (UnixDomainSocketAddress) socket.localAddress();
    }

    /**
     * Binds to {@code path} with a backlog of {@value #BACKLOG}. A computation so that,
     * as {@link TcpListener#bind(String)}, it binds on the runtime that runs it: with a socket
     * the driver owns where the driver has its own (io_uring), else a JDK channel.
     *
     * @throws IllegalArgumentException from the computation if the path is too long for the system
     */
    public static Async<UnixListener> bind(Path path) {
        Objects.requireNonNull(path, "path");
        return cx -> Poll.ready(bindNow(path));
    }

    /** Opens, binds and registers; a failure at any step closes the socket. */
    private static UnixListener bindNow(Path path) throws Exception {
        if (DriverHandle.current().io().driver() instanceof SocketDriver driver) {
            try {
                return new UnixListener(driver.listen(UnixPaths.address(path), BACKLOG));
            } catch (IOException e) {
                throw UnixPaths.bindFailed(path, e);
            }
        }
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixPaths.address(path), BACKLOG);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e instanceof IOException io ? UnixPaths.bindFailed(path, io) : e;
        }
        try {
            return new UnixListener(new ChannelListenerSocket(PollEvented.register(ch, Interest.READABLE)));
        } catch (IOException | RuntimeException e) {
            // The bind created the file; left behind, it would make the next bind of the path fail.
            ch.close();
            Files.deleteIfExists(path);
            throw e;
        }
    }

    /**
     * Accepts the next connection. Any number of accepts may wait at once, each woken when a
     * connection arrives; those that find it taken by another wait again. A failure may leave the
     * listener usable (see the class comment): a server accepts through {@link AcceptBackoff}.
     */
    public Async<UnixStream> accept() {
        return socket.accept().map(UnixStream::new);
    }

    /** Polls for the next connection on the single-slot path, for hand-written computations. */
    public Poll<UnixStream> pollAccept(Context cx) throws IOException {
        Poll<StreamSocket> p = socket.pollAccept(cx);
        return p.isPending() ? Poll.pending() : Poll.ready(new UnixStream(p.value()));
    }

    /**
     * Whether {@link #close()} has not begun. An accept that fails because the listener closed
     * sees this false: close sets it before it deregisters, which is what wakes the accept.
     */
    boolean isOpen() {
        return !closed;
    }

    /** The bound address; also after {@link #close()}. */
    public UnixDomainSocketAddress localAddress() {
        return local;
    }

    /** Closes the listening socket; its file stays. Idempotent. */
    @Override
    public void close() throws IOException {
        closed = true;
        socket.close();
    }

    @Override
    public String toString() {
        return "UnixListener[" + local.getPath() + "]";
    }
}
