package dev.kyoto.net;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Checks of the addresses a {@link UdpSocket} sends to or connects to, made before the JDK sees
 * them, so that a wrong port or address family is an {@link IllegalArgumentException} that says
 * what is wrong and what to do, rather than the JDK's terse {@code SocketException} or
 * {@code UnsupportedAddressTypeException}.
 */
final class DatagramTargets {
    private DatagramTargets() {
    }

    /**
     * The resolved address {@code target} stands for, checked for a UDP peer.
     *
     * @throws IllegalArgumentException for a Unix-domain address, another address type, or port 0
     */
    static InetSocketAddress peer(SocketAddress target, String what) {
        if (target instanceof UnixDomainSocketAddress) {
            throw new IllegalArgumentException("UdpSocket." + what + " was given the Unix-domain address " + target
                    + ": a UDP socket reaches IP addresses only; use UnixDatagram for a Unix-domain datagram peer (on the io_uring"
                    + " driver: the JDK has no Unix datagram socket), or UnixStream for a stream");
        }
        if (!(target instanceof InetSocketAddress isa)) {
            throw new IllegalArgumentException("UdpSocket." + what + " takes an InetSocketAddress, was "
                    + (target == null ? "null" : target.getClass().getName() + " " + target));
        }
        checkPort(isa.getPort(), isa, what);
        return isa;
    }

    static void checkPort(int port, Object target, String what) {
        if (port == 0) {
            throw new IllegalArgumentException("UdpSocket." + what + " to port 0 (" + target
                    + "): a datagram needs the peer's own port, 1-65535; port 0 only means \"any free port\" when binding");
        }
    }

    /**
     * Checks that a socket bound to {@code local} can reach {@code target}: an IPv4 socket reaches
     * only IPv4 peers, and an IPv6 socket bound to a specific IPv6 address only IPv6 peers (one
     * bound to the wildcard {@code [::]} also reaches IPv4 peers, through mapped addresses).
     *
     * @throws IllegalArgumentException naming both addresses and the bind that would work
     */
    static void checkFamily(InetSocketAddress local, InetSocketAddress target, String what) {
        if (!canReach(local, target.getAddress())) {
            boolean toV6 = target.getAddress() instanceof Inet6Address;
            throw new IllegalArgumentException("UdpSocket." + what + ": a socket bound to " + describe(local)
                    + " cannot reach " + (toV6 ? "the IPv6 address " : "the IPv4 address ") + target
                    + (toV6 ? "; bind the socket to an IPv6 address, for example [::1]:0, or [::]:0 to reach both families"
                            : "; bind the socket to an IPv4 address, for example 127.0.0.1:0, or to [::]:0 to reach both families"));
        }
    }

    static boolean canReach(InetSocketAddress local, InetAddress target) {
        InetAddress self = local.getAddress();
        if (self instanceof Inet4Address) {
            return target instanceof Inet4Address;
        }
        return target instanceof Inet6Address || self.isAnyLocalAddress();
    }

    /**
     * The first address in {@code resolved} the socket can reach, as Tokio uses the first resolved
     * address; skipping the other family means a name such as {@code localhost} works from a socket
     * of either family.
     *
     * @throws IllegalArgumentException if the name resolved only to addresses of the other family
     * @throws IOException "no addresses to send data to" if it resolved to nothing
     */
    static InetSocketAddress firstReachable(InetSocketAddress local, List<InetSocketAddress> resolved, String what)
            throws IOException {
        if (resolved.isEmpty()) {
            throw new IOException("no addresses to send data to");
        }
        for (InetSocketAddress a : resolved) {
            if (canReach(local, a.getAddress())) {
                checkPort(a.getPort(), a, what);
                return a;
            }
        }
        checkFamily(local, resolved.get(0), what);
        throw new AssertionError("unreachable: checkFamily must throw");
    }

    /**
     * Checks a send against the connection: to the connected peer ({@code target} null) the
     * socket must have one ({@code peer} not null); a connected socket sends only to its peer,
     * and no empty datagram, as the JDK lets it.
     *
     * @throws IllegalStateException if the socket is not connected, or connected to another peer
     * @throws IllegalArgumentException for an empty datagram on a connected socket
     */
    static void checkSend(SocketAddress peer, ByteBuffer src, InetSocketAddress target) {
        if (target == null) {
            if (peer == null) {
                throw new IllegalStateException("UdpSocket.send needs a connected socket: call connect(address) first, or use sendTo");
            }
            return;
        }
        if (peer == null) {
            return;
        }
        if (!target.equals(peer)) {
            throw new IllegalStateException("UdpSocket.sendTo " + target + ": the socket is connected to " + peer
                    + " and the JDK lets it send only there; use send, or a socket that is not connected");
        }
        if (!src.hasRemaining()) {
            throw emptyOnConnected();
        }
    }

    static IllegalArgumentException emptyOnConnected() {
        return new IllegalArgumentException("cannot send an empty datagram on a connected UdpSocket: the JDK's DatagramChannel "
                + "sends nothing for an empty buffer there; send at least one byte, or use sendTo on a socket that is not connected");
    }

    private static String describe(InetSocketAddress local) {
        return (local.getAddress() instanceof Inet4Address ? "the IPv4 address " : "the IPv6 address ") + local;
    }
}
