package dev.kyoto.io.spi;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.util.Optional;

/**
 * A TCP socket a {@link SocketDriver} owns that has neither connected nor listened yet: what
 * {@code dev.kyoto.net.TcpSocket} configures and binds on such a driver. {@link #connect} or
 * {@link #listen} consumes it, handing its descriptor on with every option set; a socket never
 * consumed must be {@linkplain #close() closed}.
 *
 * <p>Used by one thread at a time, like the builder it serves.
 */
public interface UnconnectedSocket extends AutoCloseable {

    /**
     * Sets a standard socket option ({@code SO_REUSEADDR}, {@code SO_REUSEPORT}, {@code SO_SNDBUF},
     * {@code SO_RCVBUF}, {@code SO_KEEPALIVE}, {@code SO_LINGER} in seconds with -1 for off,
     * {@code TCP_NODELAY}) with the JDK's types and conventions.
     *
     * @throws UnsupportedOperationException naming the option if the driver does not set it
     */
    <T> void setOption(SocketOption<T> name, T value) throws IOException;

    /** Reads a standard socket option back, as {@link #setOption} names them. */
    <T> T option(SocketOption<T> name) throws IOException;

    /**
     * Binds the socket to {@code local} (port 0: any free one).
     *
     * @throws java.net.BindException with the system's reason if the address is in use or not local
     */
    void bind(InetSocketAddress local) throws IOException;

    /** The address the socket is bound to, empty before {@link #bind}. */
    Optional<InetSocketAddress> localAddress() throws IOException;

    /**
     * Starts connecting to {@code remote}, consuming this socket: the connect owns it from now on,
     * and closes it if it fails or is closed.
     *
     * @throws IOException why the kernel refused at once, or the runtime's shutdown error; the
     *                     socket is closed
     */
    ConnectingSocket connect(InetSocketAddress remote) throws IOException;

    /**
     * Listens on this socket itself, with room for {@code backlog} pending connections,
     * consuming it; unbound, it listens on the wildcard address at a free port. Connections it
     * accepts inherit its options, as the kernel passes them on.
     *
     * @throws IOException why the kernel refused, or the runtime's shutdown error; the socket is closed
     */
    ListenerSocket listen(int backlog) throws IOException;

    /** Closes the socket unless it was consumed; idempotent. */
    @Override
    void close();
}
