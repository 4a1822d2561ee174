package dev.kyoto.io.uring.internal.driver;

import dev.kyoto.io.spi.ConnectingSocket;
import dev.kyoto.io.spi.ListenerSocket;
import dev.kyoto.io.spi.UnconnectedSocket;
import dev.kyoto.io.uring.internal.sys.LibC;
import dev.kyoto.io.uring.internal.sys.Sockets;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.util.Optional;

/**
 * A TCP socket the driver owns before it connects or listens: plain system calls on a descriptor
 * that no ring operation names yet, so it needs no slot and closes directly. {@link #connect} and
 * {@link #listen} hand the descriptor to a {@link UringConnect} or a {@link UringListener}, which
 * own it from then on.
 *
 * <p>Used by one thread at a time ({@code TcpSocket} is a builder); {@code fd} is -1 once the
 * socket was consumed or closed.
 */
final class UringUnconnectedSocket implements UnconnectedSocket {
    private final UringDriver driver;
    private int fd;
    private boolean bound;

    UringUnconnectedSocket(UringDriver driver, int fd) {
        this.driver = driver;
        this.fd = fd;
    }

    @Override
    public <T> void setOption(SocketOption<T> name, T value) throws IOException {
        SocketOptions.set(open(), name, value);
        driver.optionSet(name, value);
    }

    @Override
    public <T> T option(SocketOption<T> name) throws IOException {
        return SocketOptions.get(open(), name);
    }

    @Override
    public void bind(InetSocketAddress local) throws IOException {
        Sockets.bind(open(), local);
        bound = true;
    }

    @Override
    public Optional<InetSocketAddress> localAddress() throws IOException {
        int open = open();
        return bound ? Optional.of(Sockets.localAddress(open)) : Optional.empty();
    }

    @Override
    public ConnectingSocket connect(InetSocketAddress remote) throws IOException {
        return driver.connecting(take(), remote);
    }

    @Override
    public ListenerSocket listen(int backlog) throws IOException {
        int taken = take();
        try {
            Sockets.listen(taken, backlog);
        } catch (IOException | RuntimeException e) {
            LibC.close(taken);
            throw e;
        }
        return driver.listening(taken);
    }

    @Override
    public void close() {
        if (fd >= 0) {
            LibC.close(fd);
            fd = -1;
        }
    }

    private int take() {
        int taken = open();
        fd = -1;
        return taken;
    }

    private int open() {
        if (fd < 0) {
            throw new IllegalStateException("this socket was connected, listened or closed already");
        }
        return fd;
    }

    @Override
    public String toString() {
        return "UringUnconnectedSocket[" + (fd < 0 ? "consumed or closed" : "fd " + fd + (bound ? ", bound" : "")) + "]";
    }
}
