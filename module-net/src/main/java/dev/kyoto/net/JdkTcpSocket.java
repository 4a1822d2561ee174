package dev.kyoto.net;

import dev.kyoto.io.Interest;
import dev.kyoto.io.PollEvented;
import dev.kyoto.runtime.spi.DriverHandle;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link TcpSocket}'s socket as a JDK {@link SocketChannel}. A channel cannot become a
 * {@link ServerSocketChannel}, so {@link #listen} opens a listening channel, gives it this
 * socket's reuse-address, reuse-port and receive-buffer settings, closes this one and binds the
 * listener to the address it had; options a JDK listener cannot pass on to the connections it
 * accepts make {@code listen} refuse.
 */
final class JdkTcpSocket implements TcpSocketHandle {
    private final StandardProtocolFamily family;
    /** Null once consumed or closed. */
    private SocketChannel channel;
    /** The receive buffer size if it was set, for {@link #listen} to pass on. */
    private Integer receiveBufferSize;
    /** Options set that a listening channel cannot carry, named in {@link #listen}'s error. */
    private final Set<String> streamOnlyOptions = new LinkedHashSet<>();

    JdkTcpSocket(StandardProtocolFamily family) throws IOException {
        this.family = family;
        this.channel = SocketChannel.open(family);
        try {
            channel.configureBlocking(false);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public <T> void setOption(SocketOption<T> name, T value) throws IOException {
        channel.setOption(name, value);
        if (name == StandardSocketOptions.SO_RCVBUF) {
            receiveBufferSize = (Integer) value;
        } else if (name == StandardSocketOptions.SO_SNDBUF || name == StandardSocketOptions.TCP_NODELAY
                || name == StandardSocketOptions.SO_KEEPALIVE || name == StandardSocketOptions.SO_LINGER) {
            streamOnlyOptions.add(name.name());
        }
    }

    @Override
    public <T> T option(SocketOption<T> name) throws IOException {
        return channel.getOption(name);
    }

    @Override
    public boolean supportsReusePort() {
        return channel.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
    }

    @Override
    public void bind(InetSocketAddress local) throws IOException {
        channel.bind(local);
    }

    @Override
    public Optional<InetSocketAddress> localAddress() throws IOException {
        return Optional.ofNullable((InetSocketAddress) channel.getLocalAddress());
    }

    @Override
    public ConnectAttempt connect(InetSocketAddress remote) throws IOException {
        SocketChannel taken = channel;
        channel = null;
        return ConnectAttempt.start(taken, remote);
    }

    @Override
    public TcpListener listen(int backlog) throws IOException {
        // Fail before consuming the socket if there is no runtime with I/O to register with.
        DriverHandle.current().io().driver();
        if (!streamOnlyOptions.isEmpty()) {
            throw new IllegalStateException("cannot listen: " + String.join(", ", streamOnlyOptions)
                    + " was set on this TcpSocket, and a JDK listening socket cannot pass it on to the connections"
                    + " it accepts; set it on each accepted TcpStream instead (or use a TcpSocket without it)");
        }
        ServerSocketChannel server = ServerSocketChannel.open(family);
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, channel.getOption(StandardSocketOptions.SO_REUSEADDR));
            if (supportsReusePort() && channel.getOption(StandardSocketOptions.SO_REUSEPORT)) {
                server.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            if (receiveBufferSize != null) {
                server.setOption(StandardSocketOptions.SO_RCVBUF, receiveBufferSize);
            }
            InetSocketAddress bound = (InetSocketAddress) channel.getLocalAddress();
            SocketChannel taken = channel;
            channel = null;
            taken.close();
            try {
                server.bind(bound, backlog);
            } catch (IOException e) {
                // Unbound, the socket listens on the wildcard address: there is no address to name.
                throw bound == null ? e : AddressedErrors.bindFailed(bound, e);
            }
            return new TcpListener(PollEvented.register(server, Interest.READABLE));
        } catch (IOException | RuntimeException e) {
            try {
                server.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        SocketChannel open = channel;
        channel = null;
        if (open != null) {
            open.close();
        }
    }

    @Override
    public boolean spent() {
        return channel == null;
    }

    @Override
    public String kind() {
        return "JDK channel";
    }
}
