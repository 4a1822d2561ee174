package dev.kyoto.net;

import dev.kyoto.io.Interest;
import dev.kyoto.io.spi.DatagramSocket;
import dev.kyoto.io.spi.SocketDriver;
import dev.kyoto.io.Ready;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.spi.DriverHandle;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A UDP socket on the runtime's reactor.
 *
 * <pre>{@code
 * UdpSocket socket = rt.blockOn(UdpSocket.bind("127.0.0.1:0"));
 * rt.blockOn(socket.sendTo(ByteBuffer.wrap(hello), "127.0.0.1:9000"));
 * ByteBuffer buf = ByteBuffer.allocate(1500);
 * InetSocketAddress from = rt.blockOn(socket.recvFrom(buf));   // the datagram is in buf, flip it to read
 * }</pre>
 *
 * <p>As in Tokio, every operation may be used by several tasks at once on one socket: {@code send},
 * {@code sendTo}, {@code recv}, {@code recvFrom}, {@code peek…} and the readiness waits queue on
 * the multi-waiter path, each waking its own task, so one socket can be shared by a receiving and
 * a sending task, or by many receivers (which task gets which datagram is then unspecified).
 * {@code try…} methods never wait; {@code poll…} methods are for hand-written computations and
 * keep one receiving and one sending waker, as {@link dev.kyoto.io.PollEvented} does.
 *
 * <p>Receiving follows the JDK, which differs from the BSD socket calls Tokio wraps:
 * <ul>
 *   <li>A datagram larger than the room left in the buffer is <b>truncated</b>: the buffer is
 *       filled and the rest of the datagram is discarded, silently, as
 *       {@link DatagramChannel#receive} does. Receive into a buffer of 65,507 bytes (IPv4) or
 *       65,527 bytes (IPv6) never to lose any.</li>
 *   <li>A peek leaves the datagram for the next receive, whole: a peek into a small buffer
 *       truncates only what it copies. On the io_uring driver ({@code dev.kyoto.io.uring}) that
 *       is the kernel's own peek ({@code MSG_PEEK}). The JDK cannot peek, so on the selector
 *       driver {@link #peek} and {@link #peekFrom} take the next datagram off the socket and hold
 *       it in the socket; the next receive or peek on any task returns it first, and while it is
 *       held the socket counts as readable. The first such peek allocates a 64 KiB buffer, which
 *       the socket keeps.</li>
 *   <li>On a connected socket a refused peer ({@code ICMP} port unreachable) wakes a pending
 *       receive, which fails with {@link java.net.PortUnreachableException}, an {@link IOException}.</li>
 * </ul>
 *
 * <p>Sending: a connected socket sends only to its peer ({@link #sendTo} to another address is an
 * {@link IllegalStateException}; Linux itself would allow it, the JDK does not), and cannot send an
 * empty datagram (the JDK's {@code write} sends nothing for an empty buffer), which is an
 * {@link IllegalArgumentException} rather than a datagram silently not sent. An unconnected socket
 * sends empty datagrams.
 *
 * <p>The driver: where the runtime's I/O driver owns its sockets (io_uring), the socket is the
 * driver's, and {@link #ttl()}, {@link #setTtl} and {@link #takeError()} work; on the selector
 * driver it is a JDK {@link DatagramChannel}, and those three throw
 * {@link UnsupportedOperationException} naming the module that has them. Everything else behaves
 * the same on both, the JDK's rules on sending included, so code does not change with the driver;
 * a multicast membership on io_uring cannot block sources and has no {@link MembershipKey#channel()}.
 *
 * <p>Addresses: a socket bound to an IPv4 address sends to and connects to IPv4 addresses only; one
 * bound to an IPv6 address, IPv6 only; one bound to {@code [::]} both. Port 0 is not a peer. A
 * wrong family or port is an {@link IllegalArgumentException} naming the fix, thrown at once when
 * the address is given resolved, else by the computation after resolution. Closing the socket
 * fails every later operation, and those waiting, with an {@link IOException} "socket closed".
 */
public final class UdpSocket implements AutoCloseable {
    // Package-private for the white-box tests of the JDK path's peek slot.
    final UdpHandle handle;
    /** The address bound to; its family decides which peers the socket can reach. */
    private final InetSocketAddress bound;
    /**
     * The local address and the connected peer (null until connected), as the JDK last reported
     * them: written by the task whose {@link #connect} succeeded (a connect from a wildcard bind
     * makes the local address specific), read by any thread, also after the socket closed.
     */
    private volatile InetSocketAddress local;
    private volatile InetSocketAddress peer;
    private final List<MembershipKey> memberships = new ArrayList<>();

    private UdpSocket(UdpHandle handle, InetSocketAddress bound) {
        this.handle = handle;
        this.bound = bound;
        this.local = bound;
    }

    /**
     * Binds to {@code HOST:PORT} (port 0 picks a free port). A host name is resolved on the
     * blocking pool and its addresses are tried in order; if all fail the last error is thrown (an
     * address in use is a {@link java.net.BindException}).
     *
     * @throws IllegalArgumentException at once if the text is not of that form, or the port is out of range
     */
    public static Async<UdpSocket> bind(String hostAndPort) {
        return bindAll(Dns.lookup(hostAndPort));
    }

    /**
     * Binds to {@code address}, an {@link InetSocketAddress}; an unresolved one is resolved on the
     * blocking pool.
     *
     * @throws IllegalArgumentException at once for any other kind of address
     */
    public static Async<UdpSocket> bind(SocketAddress address) {
        Objects.requireNonNull(address, "address");
        if (address instanceof UnixDomainSocketAddress) {
            throw new IllegalArgumentException("UdpSocket.bind was given the Unix-domain address " + address
                    + ": a UDP socket has IP addresses; use UnixDatagram for Unix-domain datagrams (on the io_uring driver:"
                    + " the JDK has no Unix datagram socket), or UnixListener and UnixStream for a Unix-domain stream");
        }
        if (!(address instanceof InetSocketAddress isa)) {
            throw new IllegalArgumentException("UdpSocket.bind takes an InetSocketAddress, was "
                    + address.getClass().getName() + " " + address);
        }
        return bindAll(isa.isUnresolved() ? Dns.lookup(isa.getHostString(), isa.getPort()) : Async.ready(List.of(isa)));
    }

    private static Async<UdpSocket> bindAll(Async<List<InetSocketAddress>> resolving) {
        return resolving.map(addresses -> {
            IOException last = new IOException("could not resolve to any address");
            for (InetSocketAddress a : addresses) {
                try {
                    return bindOne(a);
                } catch (IOException e) {
                    last = e;
                }
            }
            throw last;
        });
    }

    /**
     * Binds one socket: the driver's own where the runtime's driver owns sockets, else a JDK
     * channel on the reactor. A failure at any step closes it.
     */
    private static UdpSocket bindOne(InetSocketAddress address) throws IOException {
        if (DriverHandle.current().io().driver() instanceof SocketDriver driver) {
            DatagramSocket socket;
            try {
                socket = driver.bindDatagram(address);
            } catch (BindException e) {
                throw AddressedErrors.bindFailed(address, e);
            }
            try {
                DriverUdp udp = new DriverUdp(socket);
                return new UdpSocket(udp, udp.localAddress());
            } catch (IOException | RuntimeException e) {
                socket.close();
                throw e;
            }
        }
        ChannelUdp channel = ChannelUdp.bind(address);
        try {
            return new UdpSocket(channel, channel.localAddress());
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Connects to {@code HOST:PORT}: afterwards the socket sends to and receives from that peer
     * only. A host name is resolved on the blocking pool; its addresses of the socket's family are
     * tried in order. Datagrams already queued, and one held by a peek, are discarded (the JDK
     * discards the queued ones, so the held one goes too).
     *
     * @throws IllegalArgumentException at once if the text is not of that form
     */
    public Async<Void> connect(String hostAndPort) {
        return connectAll(Dns.lookup(hostAndPort));
    }

    /**
     * Connects to {@code address}; see {@link #connect(String)}.
     *
     * @throws IllegalArgumentException at once for a resolved address the socket cannot reach or
     *         port 0, or an address that is not an {@link InetSocketAddress}
     */
    public Async<Void> connect(SocketAddress address) {
        InetSocketAddress isa = DatagramTargets.peer(address, "connect");
        if (isa.isUnresolved()) {
            return connectAll(Dns.lookup(isa.getHostString(), isa.getPort()));
        }
        DatagramTargets.checkFamily(bound, isa, "connect");
        return connectAll(Async.ready(List.of(isa)));
    }

    private Async<Void> connectAll(Async<List<InetSocketAddress>> resolving) {
        return resolving.map(addresses -> {
            if (addresses.isEmpty()) {
                throw new IOException("could not resolve to any address");
            }
            IOException last = null;
            for (InetSocketAddress a : addresses) {
                if (!DatagramTargets.canReach(bound, a.getAddress())) {
                    continue;
                }
                DatagramTargets.checkPort(a.getPort(), a, "connect");
                try {
                    local = handle.connect(a);
                    peer = a;
                    return null;
                } catch (IOException e) {
                    last = e;
                }
            }
            if (last == null) {
                DatagramTargets.checkFamily(bound, addresses.get(0), "connect");
            }
            throw last;
        });
    }

    /**
     * Sends {@code src} as one datagram to the connected peer: completes with its length.
     *
     * @throws IllegalArgumentException at once if {@code src} is empty (the JDK cannot send an
     *         empty datagram on a connected socket)
     * @throws IllegalStateException from the computation if the socket is not connected
     */
    public Async<Integer> send(ByteBuffer src) {
        checkSendable(src);
        return handle.send(src, null);
    }

    /**
     * Sends {@code src} as one datagram to {@code target}: completes with its length. An
     * unresolved address is resolved on the blocking pool, and the first address the socket can
     * reach is used.
     *
     * @throws IllegalArgumentException at once for a resolved target the socket cannot reach or
     *         port 0, or a target that is not an {@link InetSocketAddress}
     */
    public Async<Integer> sendTo(ByteBuffer src, SocketAddress target) {
        Objects.requireNonNull(src, "src");
        InetSocketAddress isa = DatagramTargets.peer(target, "sendTo");
        if (isa.isUnresolved()) {
            return sendToFirst(src, Dns.lookup(isa.getHostString(), isa.getPort()));
        }
        DatagramTargets.checkFamily(bound, isa, "sendTo");
        return handle.send(src, isa);
    }

    /**
     * Sends {@code src} as one datagram to {@code HOST:PORT}; see {@link #sendTo(ByteBuffer, SocketAddress)}.
     * A name that resolves to nothing fails with "no addresses to send data to".
     *
     * @throws IllegalArgumentException at once if the text is not of that form
     */
    public Async<Integer> sendTo(ByteBuffer src, String hostAndPort) {
        Objects.requireNonNull(src, "src");
        return sendToFirst(src, Dns.lookup(hostAndPort));
    }

    private Async<Integer> sendToFirst(ByteBuffer src, Async<List<InetSocketAddress>> resolving) {
        return resolving.then(addresses -> {
            InetSocketAddress target = DatagramTargets.firstReachable(bound, addresses, "sendTo");
            return handle.send(src, target);
        });
    }

    /**
     * Receives one datagram from the connected peer (or from anyone, if not connected) into
     * {@code dst}: completes with the number of bytes put there. A larger datagram is truncated.
     */
    public Async<Integer> recv(ByteBuffer dst) {
        return handle.recv(Objects.requireNonNull(dst, "dst"), false, DatagramRecv.BYTES);
    }

    /** Receives one datagram into {@code dst}: completes with its sender. A larger datagram is truncated. */
    public Async<InetSocketAddress> recvFrom(ByteBuffer dst) {
        return handle.recv(Objects.requireNonNull(dst, "dst"), false, DatagramRecv.SENDER);
    }

    /**
     * Copies the next datagram into {@code dst} without consuming it: the next receive or peek
     * returns it again. Completes with the number of bytes copied; see the class notes on how the
     * JDK's lack of a real peek is made up for.
     */
    public Async<Integer> peek(ByteBuffer dst) {
        return handle.recv(Objects.requireNonNull(dst, "dst"), true, DatagramRecv.BYTES);
    }

    /** Copies the next datagram into {@code dst} without consuming it: completes with its sender. */
    public Async<InetSocketAddress> peekFrom(ByteBuffer dst) {
        return handle.recv(Objects.requireNonNull(dst, "dst"), true, DatagramRecv.SENDER);
    }

    /** The sender of the next datagram, without consuming it. */
    public Async<InetSocketAddress> peekSender() {
        return handle.recv(null, true, DatagramRecv.SENDER);
    }

    /**
     * Receives one datagram into {@code dst} if one is ready, without waiting.
     *
     * @return true if a datagram was received (its bytes were put at {@code dst}'s position, a
     *         larger one truncated), false if none was ready
     */
    public boolean tryRecv(ByteBuffer dst) throws IOException {
        return tryRecvFrom(dst).isPresent();
    }

    /**
     * Receives one datagram into {@code dst} if one is ready, without waiting.
     *
     * @return its sender, or empty if none was ready
     */
    public Optional<InetSocketAddress> tryRecvFrom(ByteBuffer dst) throws IOException {
        return Optional.ofNullable(handle.tryRecvFrom(Objects.requireNonNull(dst, "dst"), false));
    }

    /**
     * Copies the next datagram into {@code dst} without consuming it, if one is ready.
     *
     * @return its sender, or empty if none was ready
     */
    public Optional<InetSocketAddress> tryPeekFrom(ByteBuffer dst) throws IOException {
        return Optional.ofNullable(handle.tryRecvFrom(Objects.requireNonNull(dst, "dst"), true));
    }

    /**
     * Sends {@code src} to the connected peer if the socket is writable, without waiting.
     *
     * @return true if the datagram was sent, false if the socket's send buffer had no room
     * @throws IllegalArgumentException if {@code src} is empty
     * @throws IllegalStateException if the socket is not connected
     */
    public boolean trySend(ByteBuffer src) throws IOException {
        checkSendable(src);
        return handle.trySend(src, null);
    }

    /**
     * Sends {@code src} to {@code target}, a resolved address, if the socket is writable, without waiting.
     *
     * @return true if the datagram was sent, false if the socket's send buffer had no room
     * @throws IllegalArgumentException for a target the socket cannot reach, port 0, or an unresolved address
     */
    public boolean trySendTo(ByteBuffer src, SocketAddress target) throws IOException {
        return handle.trySend(src, resolvedTarget(src, target));
    }

    /** Polls to receive one datagram into {@code dst}, for hand-written computations: its length, or pending. */
    public Poll<Integer> pollRecv(Context cx, ByteBuffer dst) throws IOException {
        int start = Objects.requireNonNull(dst, "dst").position();
        return pollRecvFrom(cx, dst).isPending() ? Poll.pending() : Poll.ready(dst.position() - start);
    }

    /** Polls to receive one datagram into {@code dst}, for hand-written computations: its sender, or pending. */
    public Poll<InetSocketAddress> pollRecvFrom(Context cx, ByteBuffer dst) throws IOException {
        return handle.pollRecvFrom(cx, Objects.requireNonNull(dst, "dst"), false);
    }

    /** Polls to copy the next datagram into {@code dst} without consuming it: its sender, or pending. */
    public Poll<InetSocketAddress> pollPeekFrom(Context cx, ByteBuffer dst) throws IOException {
        return handle.pollRecvFrom(cx, Objects.requireNonNull(dst, "dst"), true);
    }

    /** Polls to send {@code src} to the connected peer, for hand-written computations: its length, or pending. */
    public Poll<Integer> pollSend(Context cx, ByteBuffer src) throws IOException {
        checkSendable(src);
        return handle.pollSend(cx, src, null);
    }

    /** Polls to send {@code src} to {@code target}, a resolved address: its length, or pending. */
    public Poll<Integer> pollSendTo(Context cx, ByteBuffer src, SocketAddress target) throws IOException {
        return handle.pollSend(cx, src, resolvedTarget(src, target));
    }

    /** Read readiness on the single-slot path (on the JDK's channel, a datagram held by a peek counts), or pending. */
    public Poll<Ready> pollRecvReady(Context cx) throws IOException {
        return handle.pollRecvReady(cx);
    }

    /** Write readiness on the single-slot path, or pending. */
    public Poll<Ready> pollSendReady(Context cx) throws IOException {
        return handle.pollSendReady(cx);
    }

    /**
     * Waits until the socket has some readiness that satisfies {@code interest}. Readiness is a
     * hint: a {@code try…} call may still find nothing, and then clears it so the next wait waits.
     */
    public Async<Ready> ready(Interest interest) {
        return handle.ready(Objects.requireNonNull(interest, "interest"));
    }

    /** Waits until a datagram can be received (or one is held by a peek). */
    public Async<Ready> readable() {
        return ready(Interest.READABLE);
    }

    /** Waits until a datagram can be sent. */
    public Async<Ready> writable() {
        return ready(Interest.WRITABLE);
    }

    private static void checkSendable(ByteBuffer src) {
        if (!Objects.requireNonNull(src, "src").hasRemaining()) {
            throw DatagramTargets.emptyOnConnected();
        }
    }

    private InetSocketAddress resolvedTarget(ByteBuffer src, SocketAddress target) {
        Objects.requireNonNull(src, "src");
        InetSocketAddress isa = DatagramTargets.peer(target, "sendTo");
        if (isa.isUnresolved()) {
            throw new IllegalArgumentException("UdpSocket.trySendTo and pollSendTo take a resolved address, was " + isa
                    + "; resolve it first with Dns.lookup, or use sendTo, which resolves");
        }
        DatagramTargets.checkFamily(bound, isa, "sendTo");
        return isa;
    }

    /** Enables or disables sending to broadcast addresses ({@code SO_BROADCAST}). */
    public void setBroadcast(boolean on) throws IOException {
        handle.setOption(StandardSocketOptions.SO_BROADCAST, on);
    }

    /** Whether {@code SO_BROADCAST} is set. */
    public boolean broadcast() throws IOException {
        return handle.option(StandardSocketOptions.SO_BROADCAST);
    }

    /** Whether multicast datagrams this socket sends are looped back to the host ({@code IP_MULTICAST_LOOP}). */
    public void setMulticastLoop(boolean on) throws IOException {
        handle.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, on);
    }

    /** Whether {@code IP_MULTICAST_LOOP} is set (it is by default). */
    public boolean multicastLoop() throws IOException {
        return handle.option(StandardSocketOptions.IP_MULTICAST_LOOP);
    }

    /**
     * The time-to-live (IPv4) or hop limit (IPv6) of multicast datagrams, 0-255; 1 by default,
     * which keeps them on the local network.
     *
     * @throws IllegalArgumentException if {@code ttl} is out of range
     */
    public void setMulticastTtl(int ttl) throws IOException {
        if (ttl < 0 || ttl > 255) {
            throw new IllegalArgumentException("multicast TTL " + ttl + " is out of range 0-255; 1 keeps datagrams on the local network");
        }
        handle.setOption(StandardSocketOptions.IP_MULTICAST_TTL, ttl);
    }

    /** The multicast time-to-live or hop limit. */
    public int multicastTtl() throws IOException {
        return handle.option(StandardSocketOptions.IP_MULTICAST_TTL);
    }

    /** The interface multicast datagrams are sent from ({@code IP_MULTICAST_IF}). */
    public void setMulticastInterface(NetworkInterface nif) throws IOException {
        handle.setOption(StandardSocketOptions.IP_MULTICAST_IF, Objects.requireNonNull(nif, "nif"));
    }

    /** The interface multicast datagrams are sent from, or empty if the system chooses. */
    public Optional<NetworkInterface> multicastInterface() throws IOException {
        return Optional.ofNullable(handle.option(StandardSocketOptions.IP_MULTICAST_IF));
    }

    /**
     * The type-of-service byte ({@code IP_TOS}); on an IPv6 socket the JDK sets the traffic class,
     * so this is Tokio's {@code set_tos_v4} and {@code set_tclass_v6} in one.
     */
    public void setTos(int tos) throws IOException {
        handle.setOption(StandardSocketOptions.IP_TOS, tos);
    }

    /** The type-of-service byte, or the traffic class of an IPv6 socket. */
    public int tos() throws IOException {
        return handle.option(StandardSocketOptions.IP_TOS);
    }

    /**
     * The time-to-live of the unicast datagrams this socket sends ({@code IP_TTL}; the hop limit,
     * {@code IPV6_UNICAST_HOPS}, on IPv6), as Tokio's {@code UdpSocket::ttl}.
     *
     * @throws UnsupportedOperationException on the selector driver, whose JDK sockets have no
     *         such option; it names the io_uring module that has
     */
    public int ttl() throws IOException {
        return handle.ttl();
    }

    /**
     * Sets the time-to-live of the unicast datagrams this socket sends; see {@link #ttl()}.
     *
     * @throws IllegalArgumentException if {@code ttl} is not 1 to 255
     * @throws UnsupportedOperationException on the selector driver, as {@link #ttl()}
     */
    public void setTtl(int ttl) throws IOException {
        if (ttl < 1 || ttl > 255) {
            throw new IllegalArgumentException("ttl must be 1 to 255, was " + ttl);
        }
        handle.setTtl(ttl);
    }

    /**
     * Takes the socket's pending error ({@code SO_ERROR}) and clears it, as Tokio's
     * {@code UdpSocket::take_error}: empty when there is none. On a connected socket a refused
     * datagram leaves one ({@link java.net.PortUnreachableException}), which the next receive
     * reports instead, if it comes first.
     *
     * @throws UnsupportedOperationException on the selector driver, whose JDK sockets cannot read
     *         the pending error; it names the io_uring module that can
     */
    public Optional<IOException> takeError() throws IOException {
        return handle.takeError();
    }

    /** Requests a send buffer of {@code bytes} ({@code SO_SNDBUF}); the system may adjust it (Linux doubles it). */
    public void setSendBufferSize(int bytes) throws IOException {
        handle.setOption(StandardSocketOptions.SO_SNDBUF, bytes);
    }

    /** The send buffer's size as the system reports it. */
    public int sendBufferSize() throws IOException {
        return handle.option(StandardSocketOptions.SO_SNDBUF);
    }

    /**
     * Requests a receive buffer of {@code bytes} ({@code SO_RCVBUF}); the system may adjust it.
     * Datagrams that arrive while it is full are dropped by the system.
     */
    public void setRecvBufferSize(int bytes) throws IOException {
        handle.setOption(StandardSocketOptions.SO_RCVBUF, bytes);
    }

    /** The receive buffer's size as the system reports it. */
    public int recvBufferSize() throws IOException {
        return handle.option(StandardSocketOptions.SO_RCVBUF);
    }

    /**
     * Joins the multicast {@code group} on {@code nif}: datagrams sent to the group (and to the
     * socket's port) are then received. Returns the membership's key, which can also block
     * sources: the JDK's on the selector driver, one of Kyoto's own on a driver that owns its
     * sockets (io_uring), whose {@code channel()} has none to give; {@link #leaveMulticast} drops it.
     *
     * @throws IllegalArgumentException if {@code group} is not a multicast address of the socket's family
     */
    public MembershipKey joinMulticast(InetAddress group, NetworkInterface nif) throws IOException {
        MembershipKey key = handle.join(Objects.requireNonNull(group, "group"), Objects.requireNonNull(nif, "nif"));
        synchronized (memberships) {
            if (!memberships.contains(key)) {
                memberships.add(key);
            }
        }
        return key;
    }

    /**
     * Leaves the multicast {@code group} on {@code nif}.
     *
     * @throws IllegalStateException if the socket is not a member of the group on that interface
     */
    public void leaveMulticast(InetAddress group, NetworkInterface nif) {
        synchronized (memberships) {
            for (MembershipKey key : memberships) {
                if (key.isValid() && key.group().equals(group) && key.networkInterface().equals(nif)) {
                    key.drop();
                    memberships.remove(key);
                    return;
                }
            }
        }
        throw new IllegalStateException("the socket is not a member of multicast group " + group + " on " + nif
                + "; join it with joinMulticast first");
    }

    /**
     * The local address; with port 0 at bind, the port the system picked, and after a
     * {@link #connect} from a wildcard address, the address the system chose to reach the peer.
     * After {@link #close()}, the last address the socket had. Print it with
     * {@link SocketAddresses#format}.
     */
    public InetSocketAddress localAddress() {
        return local;
    }

    /**
     * The connected peer's address; after {@link #close()}, the peer the socket had.
     *
     * @throws IllegalStateException if the socket was never connected
     */
    public InetSocketAddress peerAddress() {
        InetSocketAddress p = peer;
        if (p == null) {
            throw new IllegalStateException("the UdpSocket is not connected, so it has no peer address; call connect(address) first");
        }
        return p;
    }

    /** Deregisters and closes the socket, and discards a datagram held by a peek. Idempotent. */
    @Override
    public void close() throws IOException {
        handle.close();
    }

    /**
     * {@code UdpSocket[127.0.0.1:5000]}, or {@code UdpSocket[127.0.0.1:5000 -> 127.0.0.1:6000]}
     * once connected, addresses as {@link SocketAddresses#format} writes them.
     */
    @Override
    public String toString() {
        InetSocketAddress p = peer;
        return "UdpSocket[" + SocketAddresses.format(local) + (p == null ? "" : " -> " + SocketAddresses.format(p)) + "]";
    }
}
