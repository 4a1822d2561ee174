package dev.kyoto.net;

import dev.kyoto.io.spi.SocketDriver;
import dev.kyoto.runtime.spi.DriverHandle;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.util.Optional;

/**
 * The socket behind a {@link TcpSocket}: a JDK channel, or, made on the thread of a runtime whose
 * driver owns its sockets, one that driver owns. {@link #connect} and {@link #listen} consume it.
 * The {@code TcpSocket} checks arguments and its own state first; this only does the work.
 */
sealed interface TcpSocketHandle permits JdkTcpSocket, DriverTcpSocket {

    /** A new socket of {@code family}: the driver's if the runtime on this thread has one that owns sockets. */
    static TcpSocketHandle open(StandardProtocolFamily family) throws IOException {
        if (DriverHandle.currentIoDriver().orElse(null) instanceof SocketDriver driver) {
            return new DriverTcpSocket(driver.open(family));
        }
        return new JdkTcpSocket(family);
    }

    <T> void setOption(SocketOption<T> name, T value) throws IOException;

    <T> T option(SocketOption<T> name) throws IOException;

    /** Whether {@code SO_REUSEPORT} can be set here. */
    boolean supportsReusePort();

    /** Binds; the caller names the address in the error. */
    void bind(InetSocketAddress local) throws IOException;

    /** The bound address, empty before {@link #bind}. */
    Optional<InetSocketAddress> localAddress() throws IOException;

    /**
     * Starts connecting to {@code remote} on the runtime on this thread, consuming the socket; on
     * failure the socket is closed before the exception leaves.
     */
    ConnectAttempt connect(InetSocketAddress remote) throws IOException;

    /**
     * Listens with room for {@code backlog} connections on the runtime on this thread, consuming
     * the socket, except where an {@link IllegalStateException} says it cannot listen at all (the
     * socket is then as it was).
     */
    TcpListener listen(int backlog) throws IOException;

    /** Closes the socket unless it was consumed; idempotent. */
    void close() throws IOException;

    /** Whether {@link #connect} or {@link #listen} took the socket, even if it then failed, or it was closed. */
    boolean spent();

    /** A word for {@code toString}: which kind of socket this is. */
    String kind();
}
