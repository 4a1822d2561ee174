package dev.kyoto.io.spi;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.util.List;

/**
 * An I/O driver that owns TCP and UDP sockets itself, without {@code java.nio} channels: a
 * native driver over io_uring, and one day epoll or kqueue through the FFM API.
 * {@code dev.kyoto.net} asks the runtime's driver for this interface and, where it finds it,
 * builds its listeners, streams and UDP sockets on the driver's sockets, so that user code does
 * not change with the driver.
 *
 * <p>A driver decides how it waits (readiness or completion); the sockets it hands out keep the
 * contracts of {@link StreamSocket}, {@link ListenerSocket} and {@link DatagramSocket} either way.
 */
public interface SocketDriver {

    /**
     * Opens a stream socket bound to {@code local}, listening with {@code backlog}: for an
     * {@link InetSocketAddress} a TCP socket with {@code SO_REUSEADDR} (as the JDK's
     * {@code ServerSocketChannel} binds), for a {@link java.net.UnixDomainSocketAddress} a
     * Unix-domain one at that path, which must not exist yet.
     *
     * @throws IOException the runtime's shutdown error after shutdown, or why the kernel refused
     *                     (an address in use, a {@link java.net.BindException}; for a path in a
     *                     directory that does not exist, a {@link java.net.SocketException});
     *                     nothing stays open
     */
    ListenerSocket listen(SocketAddress local, int backlog) throws IOException;

    /**
     * Opens a stream socket of {@code remote}'s kind (TCP over IPv4 or IPv6, or Unix-domain) and
     * starts connecting it to {@code remote}.
     *
     * @throws IOException the runtime's shutdown error after shutdown, or why the kernel refused
     *                     at once; nothing stays open
     */
    ConnectingSocket connect(SocketAddress remote) throws IOException;

    /**
     * Opens a TCP socket of {@code family} (IPv4 or IPv6) to configure, bind, and then connect or
     * listen: {@code TcpSocket}'s socket.
     *
     * @throws IOException the runtime's shutdown error after shutdown, or why the kernel refused
     */
    UnconnectedSocket open(ProtocolFamily family) throws IOException;

    /**
     * Opens a datagram socket bound to {@code local}: for an {@link InetSocketAddress} a UDP
     * socket (port 0: any free one; an IPv6 one bound to the wildcard also reaches IPv4 peers, as
     * the JDK's does), for a {@link java.net.UnixDomainSocketAddress} a Unix-domain one, left
     * unbound if its path is empty.
     *
     * @throws IOException the runtime's shutdown error after shutdown, or why the kernel refused
     *                     (a {@link java.net.BindException} for an address in use); nothing stays open
     */
    DatagramSocket bindDatagram(SocketAddress local) throws IOException;

    /**
     * Opens a pair of Unix-domain datagram sockets connected to each other, both unnamed.
     *
     * @throws IOException the runtime's shutdown error after shutdown, or why the kernel refused
     */
    List<DatagramSocket> unixDatagramPair() throws IOException;
}
