package dev.kyoto.net;

import dev.kyoto.io.spi.UnconnectedSocket;
import dev.kyoto.runtime.spi.DriverHandle;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.util.Optional;

/**
 * A {@link TcpSocket}'s socket owned by the runtime's driver (io_uring): options go to the kernel
 * as set, and {@link #listen} listens on this very socket, so every option reaches the
 * connections it accepts, as on Tokio.
 */
final class DriverTcpSocket implements TcpSocketHandle {
    private final UnconnectedSocket socket;
    /** Set as {@link #connect}, {@link #listen} or {@link #close} hands the socket on: the driver consumes it even when they fail. */
    private boolean spent;

    DriverTcpSocket(UnconnectedSocket socket) {
        this.socket = socket;
    }

    @Override
    public <T> void setOption(SocketOption<T> name, T value) throws IOException {
        socket.setOption(name, value);
    }

    @Override
    public <T> T option(SocketOption<T> name) throws IOException {
        return socket.option(name);
    }

    @Override
    public boolean supportsReusePort() {
        return true;
    }

    @Override
    public void bind(InetSocketAddress local) throws IOException {
        socket.bind(local);
    }

    @Override
    public Optional<InetSocketAddress> localAddress() throws IOException {
        return socket.localAddress();
    }

    @Override
    public ConnectAttempt connect(InetSocketAddress remote) throws IOException {
        spent = true;
        return ConnectAttempt.driven(socket.connect(remote), remote);
    }

    @Override
    public TcpListener listen(int backlog) throws IOException {
        // Like a JDK channel's, fails before consuming the socket if no runtime runs on this thread.
        DriverHandle.current().io().driver();
        spent = true;
        return new TcpListener(socket.listen(backlog));
    }

    @Override
    public void close() {
        spent = true;
        socket.close();
    }

    @Override
    public boolean spent() {
        return spent;
    }

    @Override
    public String kind() {
        return "driver-owned";
    }
}
