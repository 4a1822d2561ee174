package dev.kyoto.net;

import dev.kyoto.io.Interest;
import dev.kyoto.io.Ready;
import dev.kyoto.io.spi.DatagramSocket;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.MembershipKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@link UdpSocket} on a socket the runtime's driver owns: a peek is the kernel's own
 * ({@code MSG_PEEK}), and the options the JDK lacks ({@code IP_TTL}, {@code SO_ERROR}) are there.
 * Each operation tries the socket and, finding nothing, waits for the driver's readiness.
 *
 * <p>{@code peer} is written by the task whose connect succeeded and read by any; the
 * memberships are guarded by their list's monitor.
 */
final class DriverUdp implements UdpHandle {
    private final DatagramSocket socket;
    private volatile InetSocketAddress peer;
    private final List<DriverMembership> memberships = new ArrayList<>();

    DriverUdp(DatagramSocket socket) {
        this.socket = socket;
    }

    InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) socket.localAddress();
    }

    @Override
    public <R> Async<R> recv(ByteBuffer dst, boolean peek, DatagramRecv.Result<R> result) {
        return new DriverDatagramIo<>(socket, Interest.READABLE, () -> {
            int start = dst == null ? 0 : dst.position();
            InetSocketAddress from = (InetSocketAddress) socket.tryRecvFrom(dst, peek);
            return from == null ? null : result.of(from, dst == null ? 0 : dst.position() - start);
        });
    }

    @Override
    public InetSocketAddress tryRecvFrom(ByteBuffer dst, boolean peek) throws IOException {
        return (InetSocketAddress) socket.tryRecvFrom(dst, peek);
    }

    @Override
    public Poll<InetSocketAddress> pollRecvFrom(Context cx, ByteBuffer dst, boolean peek) throws IOException {
        for (;;) {
            InetSocketAddress from = (InetSocketAddress) socket.tryRecvFrom(dst, peek);
            if (from != null) {
                return Poll.ready(from);
            }
            if (socket.pollRecvReady(cx).isPending()) {
                return Poll.pending();
            }
        }
    }

    @Override
    public Async<Integer> send(ByteBuffer src, InetSocketAddress target) {
        return new DriverDatagramIo<>(socket, Interest.WRITABLE, () -> sendOnce(src, target));
    }

    @Override
    public boolean trySend(ByteBuffer src, InetSocketAddress target) throws IOException {
        return sendOnce(src, target) != null;
    }

    @Override
    public Poll<Integer> pollSend(Context cx, ByteBuffer src, InetSocketAddress target) throws IOException {
        for (;;) {
            Integer n = sendOnce(src, target);
            if (n != null) {
                return Poll.ready(n);
            }
            if (socket.pollSendReady(cx).isPending()) {
                return Poll.pending();
            }
        }
    }

    /** One send attempt, checked against the connection as the JDK checks it: null when the send buffer has no room. */
    private Integer sendOnce(ByteBuffer src, InetSocketAddress target) throws IOException {
        DatagramTargets.checkSend(peer, src, target);
        int n = socket.trySendTo(src, target);
        return n < 0 ? null : n;
    }

    @Override
    public Poll<Ready> pollRecvReady(Context cx) throws IOException {
        return socket.pollRecvReady(cx);
    }

    @Override
    public Poll<Ready> pollSendReady(Context cx) throws IOException {
        return socket.pollSendReady(cx);
    }

    @Override
    public Async<Ready> ready(Interest interest) {
        return socket.ready(interest);
    }

    @Override
    public InetSocketAddress connect(InetSocketAddress to) throws IOException {
        socket.connect(to);
        peer = to;
        return localAddress();
    }

    @Override
    public <T> T option(SocketOption<T> name) throws IOException {
        return socket.getOption(name);
    }

    @Override
    public <T> void setOption(SocketOption<T> name, T value) throws IOException {
        socket.setOption(name, value);
    }

    @Override
    public int ttl() throws IOException {
        return socket.ttl();
    }

    @Override
    public void setTtl(int ttl) throws IOException {
        socket.setTtl(ttl);
    }

    @Override
    public Optional<IOException> takeError() throws IOException {
        return socket.takeError();
    }

    /** As the JDK's {@code join}: joined already on that interface, the same key. */
    @Override
    public MembershipKey join(InetAddress group, NetworkInterface nif) throws IOException {
        synchronized (memberships) {
            for (DriverMembership key : memberships) {
                if (key.group().equals(group) && key.networkInterface().equals(nif)) {
                    return key;
                }
            }
            socket.joinGroup(group, nif);
            DriverMembership key = new DriverMembership(this, group, nif);
            memberships.add(key);
            return key;
        }
    }

    /** Leaves the group of {@code key}, which then is no longer valid. */
    void drop(DriverMembership key) throws IOException {
        synchronized (memberships) {
            if (memberships.remove(key)) {
                socket.leaveGroup(key.group(), key.networkInterface());
            }
        }
    }

    /** Blocks or unblocks {@code source} on the membership of {@code key}, which must still hold. */
    void blockSource(DriverMembership key, InetAddress source, boolean block) throws IOException {
        synchronized (memberships) {
            if (!memberships.contains(key)) {
                throw new IllegalStateException("the membership of " + key + " was dropped: join the group again");
            }
            socket.blockSource(key.group(), key.networkInterface(), source, block);
        }
    }

    boolean holds(DriverMembership key) {
        synchronized (memberships) {
            return memberships.contains(key);
        }
    }

    /** Closes the socket; its memberships end with it, as the kernel drops them. */
    @Override
    public void close() {
        synchronized (memberships) {
            memberships.clear();
        }
        socket.close();
    }
}
