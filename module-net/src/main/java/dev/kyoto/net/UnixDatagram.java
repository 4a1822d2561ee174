package dev.kyoto.net;

import dev.kyoto.io.Interest;
import dev.kyoto.io.Ready;
import dev.kyoto.io.spi.DatagramSocket;
import dev.kyoto.io.spi.NeedsOwnSockets;
import dev.kyoto.io.spi.SocketDriver;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.spi.DriverHandle;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A Unix-domain datagram socket, as Tokio's {@code UnixDatagram}: datagrams between processes on
 * one host, with their boundaries kept, to a path or to a connected peer.
 *
 * <pre>{@code
 * UnixDatagram server = rt.blockOn(UnixDatagram.bind(Path.of("/run/app/log.sock")));
 * UnixDatagram client = rt.blockOn(UnixDatagram.unbound());
 * rt.blockOn(client.sendTo(ByteBuffer.wrap(line), Path.of("/run/app/log.sock")));
 * ByteBuffer buf = ByteBuffer.allocate(2048);
 * int n = rt.blockOn(server.recv(buf));
 * }</pre>
 *
 * <p><b>Only on a driver that owns its sockets.</b> The JDK has no Unix datagram channel, so this
 * class needs the io_uring driver ({@code dev.kyoto.io.uring}, see {@code MODULES.md}); on the
 * selector driver {@link #bind}, {@link #unbound} and {@link #pair} fail with an
 * {@link UnsupportedOperationException} that names it.
 *
 * <p>Any number of tasks may use one socket at once; each waiting operation is woken on its own.
 * A datagram larger than the room left in the receiving buffer is truncated, the rest discarded.
 * A sender that is not bound, and either end of a {@link #pair()}, is unnamed: its address has
 * the empty path. On Linux a send to a receiver whose queue is full waits; an unconnected
 * socket's wait for that is woken at once each time (the kernel says such a socket is writable),
 * so a socket that sends to one busy receiver should {@link #connect} to it. A bound path stays
 * in the file system after {@link #close()}, as a closed {@link UnixListener}'s does: delete it
 * before binding it again. After {@link #close()} every operation fails with an
 * {@link IOException} "socket closed".
 */
public final class UnixDatagram implements AutoCloseable {
    /** The address of an unnamed socket: an unbound one, either end of a pair. */
    private static final UnixDomainSocketAddress UNNAMED = UnixDomainSocketAddress.of("");

    private final DatagramSocket socket;
    private final UnixDomainSocketAddress local;
    /** The connected peer, null until {@link #connect} succeeds; written by that task, read by any. */
    private volatile UnixDomainSocketAddress peer;

    private UnixDatagram(DatagramSocket socket, UnixDomainSocketAddress local, UnixDomainSocketAddress peer) {
        this.socket = socket;
        this.local = local;
        this.peer = peer;
    }

    /**
     * A pair of sockets connected to each other, both unnamed: what one sends, the other
     * receives. Closing the pair closes both.
     */
    public record Pair(UnixDatagram first, UnixDatagram second) implements AutoCloseable {
        public Pair {
            Objects.requireNonNull(first, "first");
            Objects.requireNonNull(second, "second");
        }

        @Override
        public void close() {
            first.close();
            second.close();
        }
    }

    /**
     * Binds a socket to {@code path}, which must not exist yet.
     *
     * @throws IllegalArgumentException from the computation if the path is too long for the system
     */
    public static Async<UnixDatagram> bind(Path path) {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(Objects.requireNonNull(path, "path"));
        return cx -> {
            DatagramSocket socket;
            try {
                socket = driver("UnixDatagram.bind").bindDatagram(address);
            } catch (IOException e) {
                throw UnixPaths.bindFailed(path, e);
            }
            return Poll.ready(new UnixDatagram(socket, address, null));
        };
    }

    /** A socket bound to no path: it can send, and receive replies to an unnamed sender only from a connected peer or a pair. */
    public static Async<UnixDatagram> unbound() {
        return cx -> Poll.ready(new UnixDatagram(driver("UnixDatagram.unbound").bindDatagram(UNNAMED), UNNAMED, null));
    }

    /** Two sockets connected to each other ({@code socketpair}), both unnamed. */
    public static Async<Pair> pair() {
        return cx -> {
            List<DatagramSocket> two = driver("UnixDatagram.pair").unixDatagramPair();
            return Poll.ready(new Pair(new UnixDatagram(two.get(0), UNNAMED, UNNAMED), new UnixDatagram(two.get(1), UNNAMED, UNNAMED)));
        };
    }

    private static SocketDriver driver(String what) {
        if (DriverHandle.current().io().driver() instanceof SocketDriver driver) {
            return driver;
        }
        throw NeedsOwnSockets.error(what, "the JDK has no Unix datagram channel");
    }

    /**
     * Connects to the socket bound at {@code path}: afterwards {@link #send} goes there, and only
     * its datagrams are received.
     */
    public Async<Void> connect(Path path) {
        UnixDomainSocketAddress to = UnixDomainSocketAddress.of(Objects.requireNonNull(path, "path"));
        return cx -> {
            try {
                socket.connect(to);
            } catch (ConnectException e) {
                ConnectException better = new ConnectException("Connection refused: no socket is bound at " + path
                        + "; the file may be left over from a UnixDatagram that closed");
                better.initCause(e);
                throw better;
            } catch (SocketException e) {
                if (!Files.exists(path)) {
                    SocketException better = new SocketException("no Unix-domain socket at " + path + " (" + e.getMessage()
                            + "): bind a UnixDatagram to that path first, or check the path");
                    better.initCause(e);
                    throw better;
                }
                throw e;
            }
            peer = to;
            return Poll.ready(null);
        };
    }

    /**
     * Sends {@code src} as one datagram to the connected peer: completes with its length.
     *
     * @throws IllegalStateException from the computation if the socket is not connected
     */
    public Async<Integer> send(ByteBuffer src) {
        Objects.requireNonNull(src, "src");
        return new DriverDatagramIo<>(socket, Interest.WRITABLE, () -> sendOnce(src, null));
    }

    /** Sends {@code src} as one datagram to the socket bound at {@code target}: completes with its length. */
    public Async<Integer> sendTo(ByteBuffer src, Path target) {
        Objects.requireNonNull(src, "src");
        UnixDomainSocketAddress to = UnixDomainSocketAddress.of(Objects.requireNonNull(target, "target"));
        return new DriverDatagramIo<>(socket, Interest.WRITABLE, () -> sendOnce(src, to));
    }

    /** Receives one datagram into {@code dst}: completes with the number of bytes put there. */
    public Async<Integer> recv(ByteBuffer dst) {
        Objects.requireNonNull(dst, "dst");
        return new DriverDatagramIo<>(socket, Interest.READABLE, () -> {
            int start = dst.position();
            return socket.tryRecvFrom(dst, false) == null ? null : dst.position() - start;
        });
    }

    /** Receives one datagram into {@code dst}: completes with its sender (the empty path if unnamed). */
    public Async<UnixDomainSocketAddress> recvFrom(ByteBuffer dst) {
        Objects.requireNonNull(dst, "dst");
        return new DriverDatagramIo<>(socket, Interest.READABLE, () -> (UnixDomainSocketAddress) socket.tryRecvFrom(dst, false));
    }

    /**
     * Receives one datagram into {@code dst} if one is queued, without waiting.
     *
     * @return its sender, or empty if none was queued
     */
    public Optional<UnixDomainSocketAddress> tryRecvFrom(ByteBuffer dst) throws IOException {
        return Optional.ofNullable((UnixDomainSocketAddress) socket.tryRecvFrom(Objects.requireNonNull(dst, "dst"), false));
    }

    /**
     * Sends {@code src} to the connected peer if there is room, without waiting.
     *
     * @return true if the datagram was sent
     * @throws IllegalStateException if the socket is not connected
     */
    public boolean trySend(ByteBuffer src) throws IOException {
        return sendOnce(Objects.requireNonNull(src, "src"), null) != null;
    }

    /**
     * Sends {@code src} to the socket at {@code target} if there is room, without waiting.
     *
     * @return true if the datagram was sent
     */
    public boolean trySendTo(ByteBuffer src, Path target) throws IOException {
        UnixDomainSocketAddress to = UnixDomainSocketAddress.of(Objects.requireNonNull(target, "target"));
        return sendOnce(Objects.requireNonNull(src, "src"), to) != null;
    }

    private Integer sendOnce(ByteBuffer src, UnixDomainSocketAddress to) throws IOException {
        if (to == null && peer == null) {
            throw new IllegalStateException("UnixDatagram.send needs a connected socket: call connect(path) first, or use sendTo");
        }
        int n = socket.trySendTo(src, to);
        return n < 0 ? null : n;
    }

    /**
     * Waits until the socket has some readiness that satisfies {@code interest}. Readiness is a
     * hint: a {@code try…} call may still find nothing, and then clears it so the next wait waits.
     */
    public Async<Ready> ready(Interest interest) {
        return socket.ready(Objects.requireNonNull(interest, "interest"));
    }

    /** Waits until a datagram can be received. */
    public Async<Ready> readable() {
        return ready(Interest.READABLE);
    }

    /** Waits until a datagram can be sent. */
    public Async<Ready> writable() {
        return ready(Interest.WRITABLE);
    }

    /**
     * Takes the socket's pending error ({@code SO_ERROR}) and clears it, as Tokio's
     * {@code UnixDatagram::take_error}: empty when there is none.
     */
    public Optional<IOException> takeError() throws IOException {
        return socket.takeError();
    }

    /** The path bound to; the empty path if unbound or one of a pair. */
    public UnixDomainSocketAddress localAddress() {
        return local;
    }

    /**
     * The connected peer's address; the empty path for the other end of a pair.
     *
     * @throws IllegalStateException if the socket is not connected
     */
    public UnixDomainSocketAddress peerAddress() {
        UnixDomainSocketAddress p = peer;
        if (p == null) {
            throw new IllegalStateException("the UnixDatagram is not connected, so it has no peer address; call connect(path) first");
        }
        return p;
    }

    /** Closes the socket; operations waiting on it fail with "socket closed". Idempotent; the bound path stays. */
    @Override
    public void close() {
        socket.close();
    }

    /** {@code UnixDatagram[/run/app.sock]}, with {@code -> PATH} once connected; an unnamed address is {@code unnamed}. */
    @Override
    public String toString() {
        UnixDomainSocketAddress p = peer;
        return "UnixDatagram[" + name(local) + (p == null ? "" : " -> " + name(p)) + "]";
    }

    private static String name(UnixDomainSocketAddress a) {
        String path = a.getPath().toString();
        return path.isEmpty() ? "unnamed" : path;
    }
}
