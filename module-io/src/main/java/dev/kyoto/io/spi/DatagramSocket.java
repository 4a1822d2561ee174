package dev.kyoto.io.spi;

import dev.kyoto.io.Interest;
import dev.kyoto.io.Ready;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * A datagram socket a {@link SocketDriver} owns, UDP or Unix-domain: what
 * {@code dev.kyoto.net.UdpSocket} is built on where the runtime's driver has its own sockets, and
 * {@code dev.kyoto.net.UnixDatagram}, which only such a driver can give. Addresses are {@link InetSocketAddress}es for
 * UDP and {@link UnixDomainSocketAddress}es for a Unix socket, whose empty path is an unnamed
 * socket's (an unbound sender, either end of a pair). Readiness semantics: the {@code try…}
 * operations never wait, and one that finds nothing to do clears the readiness it reports, so
 * that the next wait waits for the kernel to say so; the waits are woken by the driver.
 *
 * <p>Safe for any number of threads at once. Address checks (family, port 0, a connected
 * socket's peer) are the caller's: this interface is handed addresses it may use.
 */
public interface DatagramSocket extends AutoCloseable {

    /**
     * Receives the next datagram into {@code dst} if one is queued, without waiting; a datagram
     * larger than {@code dst}'s room is truncated, the rest discarded. With {@code peek} the
     * datagram stays queued ({@code MSG_PEEK}) and {@code dst} may be null, to learn only the
     * sender.
     *
     * @return the sender, or null if no datagram was queued (read readiness is then cleared)
     * @throws java.net.PortUnreachableException if the connected peer refused an earlier datagram
     */
    SocketAddress tryRecvFrom(ByteBuffer dst, boolean peek) throws IOException;

    /**
     * Sends {@code src}'s remaining bytes as one datagram to {@code target}, or to the connected
     * peer if {@code target} is null, if the send buffer has room, without waiting.
     *
     * @return the datagram's length, or -1 if the send buffer had no room (write readiness is
     *         then cleared); {@code src}'s position moves past the bytes sent
     */
    int trySendTo(ByteBuffer src, SocketAddress target) throws IOException;

    /** Read readiness (or an error to report), or pending with this task stored as the one receiver waker. */
    Poll<Ready> pollRecvReady(Context cx) throws IOException;

    /** Write readiness, or pending with this task stored as the one sender waker. */
    Poll<Ready> pollSendReady(Context cx) throws IOException;

    /** Waits until the socket has some readiness that satisfies {@code interest}; any number may wait. */
    Async<Ready> ready(Interest interest);

    /**
     * Connects to {@code peer}: sends then go there only and receives come from there only.
     * Datagrams queued from others before the connect are discarded, as the JDK does.
     */
    void connect(SocketAddress peer) throws IOException;

    /**
     * The address the socket is bound to: after a connect from a wildcard, the one that reaches
     * the peer; an unbound Unix socket's is unnamed.
     */
    SocketAddress localAddress() throws IOException;

    /**
     * Sets a standard option ({@code SO_BROADCAST}, {@code SO_SNDBUF}, {@code SO_RCVBUF},
     * {@code IP_TOS}, {@code IP_MULTICAST_IF}, {@code IP_MULTICAST_TTL}, {@code IP_MULTICAST_LOOP})
     * with the JDK's types and conventions; on an IPv6 socket the IP options are their IPv6
     * counterparts, as the JDK's are.
     *
     * @throws UnsupportedOperationException naming the option if the driver does not set it
     */
    <T> void setOption(SocketOption<T> name, T value) throws IOException;

    /** Reads a standard option back, as {@link #setOption} names them; an unset {@code IP_MULTICAST_IF} is null. */
    <T> T getOption(SocketOption<T> name) throws IOException;

    /** The time-to-live ({@code IP_TTL}) or IPv6 hop limit ({@code IPV6_UNICAST_HOPS}) of unicast datagrams. */
    int ttl() throws IOException;

    /** Sets what {@link #ttl} reads: 1–255. */
    void setTtl(int ttl) throws IOException;

    /** Takes the socket's pending error ({@code SO_ERROR}), clearing it: a refused peer's, say. */
    Optional<IOException> takeError() throws IOException;

    /**
     * Joins the multicast {@code group} on {@code nif} ({@code IP_ADD_MEMBERSHIP} or
     * {@code IPV6_ADD_MEMBERSHIP}).
     *
     * @throws IllegalArgumentException if {@code group} is not a multicast address the socket can join
     */
    void joinGroup(InetAddress group, NetworkInterface nif) throws IOException;

    /** Leaves a group {@link #joinGroup} joined. */
    void leaveGroup(InetAddress group, NetworkInterface nif) throws IOException;

    /**
     * Stops receiving the datagrams that {@code source} sends to a group {@link #joinGroup} joined
     * on {@code nif}, or with {@code block} false receives them again ({@code MCAST_BLOCK_SOURCE},
     * {@code MCAST_UNBLOCK_SOURCE}). The caller checks the arguments as the JDK's
     * {@code MembershipKey.block} does: a unicast source of the group's family.
     */
    void blockSource(InetAddress group, NetworkInterface nif, InetAddress source, boolean block) throws IOException;

    /** Closes the socket; waiters wake to "socket closed". Idempotent. */
    @Override
    void close();
}
