package dev.kyoto.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.channels.MembershipKey;
import java.nio.channels.MulticastChannel;

/**
 * A multicast membership of a {@link UdpSocket} on a driver's own socket: any-source, valid until
 * dropped or the socket closes. There is no JDK channel behind it, and no source filtering yet.
 */
final class DriverMembership extends MembershipKey {
    private final DriverUdp owner;
    private final InetAddress group;
    private final NetworkInterface nif;

    DriverMembership(DriverUdp owner, InetAddress group, NetworkInterface nif) {
        this.owner = owner;
        this.group = group;
        this.nif = nif;
    }

    @Override
    public boolean isValid() {
        return owner.holds(this);
    }

    /** Leaves the group; idempotent. */
    @Override
    public void drop() {
        try {
            owner.drop(this);
        } catch (IOException e) {
            throw new UncheckedIOException("leaving multicast group " + group + " on " + nif.getName(), e);
        }
    }

    /** Source filtering is not supported on the io_uring driver's UDP sockets (the JDK allows this answer). */
    @Override
    public MembershipKey block(InetAddress source) {
        throw new UnsupportedOperationException("blocking multicast sources is not supported on the io_uring driver's UDP sockets;"
                + " filter by the sender recvFrom returns, or run on the selector driver (-Dkyoto.io.driver=nio)");
    }

    @Override
    public MembershipKey unblock(InetAddress source) {
        throw new IllegalStateException("no source of group " + group + " is blocked: this membership cannot block sources");
    }

    /** There is no JDK channel behind a driver's socket: use the {@code UdpSocket} that joined. */
    @Override
    public MulticastChannel channel() {
        throw new UnsupportedOperationException("this membership belongs to a UdpSocket on the io_uring driver, which has no JDK channel");
    }

    @Override
    public InetAddress group() {
        return group;
    }

    @Override
    public NetworkInterface networkInterface() {
        return nif;
    }

    /** Null: the membership is any-source. */
    @Override
    public InetAddress sourceAddress() {
        return null;
    }

    @Override
    public String toString() {
        return "<" + group.getHostAddress() + "," + nif.getName() + ">";
    }
}
