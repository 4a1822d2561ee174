package dev.kyoto.net;

import dev.kyoto.io.Interest;
import dev.kyoto.io.PollEvented;
import dev.kyoto.io.spi.ConnectingSocket;
import dev.kyoto.io.spi.SocketDriver;
import dev.kyoto.io.spi.StreamSocket;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.spi.DriverHandle;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;

/**
 * One non-blocking connect on its own socket: Tokio's {@code connect_mio}. On the selector the
 * socket is a JDK channel registered with the reactor, the attempt waits for it to become
 * writable (the handshake finished or failed), and {@code finishConnect} reports which; on a
 * driver that owns its sockets the driver runs the connect ({@link ConnectingSocket}). The
 * sequential {@link Connect}, {@link TcpSocket#connect} and the {@link HappyEyeballs} race are all
 * built from these.
 *
 * <p>Until {@link #poll} hands the socket to a {@link TcpStream}, the attempt owns it:
 * {@link #close()} (a failure, a lost race, a cancel) deregisters and closes it. Exactly one of
 * {@code io} and {@code owned} is set until then, and neither after.
 */
final class ConnectAttempt {
    private static final Interest READ_WRITE = Interest.READABLE.add(Interest.WRITABLE);

    private final InetSocketAddress address;
    private PollEvented<SocketChannel> io;
    private ConnectingSocket owned;

    private ConnectAttempt(InetSocketAddress address, PollEvented<SocketChannel> io, ConnectingSocket owned) {
        this.address = address;
        this.io = io;
        this.owned = owned;
    }

    /**
     * Starts connecting a fresh socket to {@code address} on the driver of the runtime on this
     * thread: one the driver owns if it owns sockets, else a JDK channel.
     */
    static ConnectAttempt start(InetSocketAddress address) throws IOException {
        if (DriverHandle.current().io().driver() instanceof SocketDriver driver) {
            return driven(driver.connect(address), address);
        }
        return start(Connect.open(address), address);
    }

    /** Takes over a connect to {@code address} that a driver which owns its sockets has started. */
    static ConnectAttempt driven(ConnectingSocket connecting, InetSocketAddress address) {
        return new ConnectAttempt(address, null, connecting);
    }

    /**
     * Starts connecting {@code channel} (open, configured, perhaps bound) to {@code address} and
     * registers it with the reactor of the runtime on this thread. Takes ownership of the
     * channel: on any failure it is closed before the exception leaves.
     */
    static ConnectAttempt start(SocketChannel channel, InetSocketAddress address) throws IOException {
        try {
            channel.configureBlocking(false);
            try {
                channel.connect(address);
            } catch (IOException e) {
                throw AddressedErrors.connectFailed(address, e);
            }
            return new ConnectAttempt(address, PollEvented.register(channel, READ_WRITE), null);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel, e);
            throw e;
        }
    }

    /** The address this attempt connects to. */
    InetSocketAddress address() {
        return address;
    }

    /**
     * Pending while the handshake runs; the connected stream when it completes, after which the
     * stream owns the socket. Throws the connect's failure (a {@link java.net.ConnectException},
     * say) naming the address, as {@link AddressedErrors} does; the caller then closes the attempt.
     */
    Poll<TcpStream> poll(Context cx) throws IOException {
        if (owned != null) {
            return pollOwned(cx);
        }
        Poll<Boolean> connected;
        try {
            connected = io.pollWriteIo(cx, ch -> ch.finishConnect() ? Boolean.TRUE : null);
        } catch (IOException e) {
            throw AddressedErrors.connectFailed(address, e);
        }
        if (connected.isPending()) {
            return Poll.pending();
        }
        TcpStream stream = new TcpStream(io);
        io = null;
        return Poll.ready(stream);
    }

    private Poll<TcpStream> pollOwned(Context cx) throws IOException {
        Poll<StreamSocket> connected;
        try {
            connected = owned.pollConnect(cx);
        } catch (IOException e) {
            throw AddressedErrors.connectFailed(address, e);
        }
        if (connected.isPending()) {
            return Poll.pending();
        }
        owned = null;
        return Poll.ready(new TcpStream(connected.value()));
    }

    /**
     * Deregisters and closes the socket unless a stream took it. Idempotent.
     *
     * @return the failure to close, for the caller to attach to its own error, or null
     */
    IOException close() {
        if (owned != null) {
            owned.close();
            owned = null;
            return null;
        }
        PollEvented<SocketChannel> open = io;
        io = null;
        if (open == null) {
            return null;
        }
        try {
            open.close();
            return null;
        } catch (IOException e) {
            return e;
        }
    }

    private static void closeQuietly(SocketChannel channel, Exception cause) {
        try {
            channel.close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    @Override
    public String toString() {
        return "ConnectAttempt[" + address + (io == null && owned == null ? ", done" : "") + "]";
    }
}
