package dev.kyoto.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.channels.MembershipKey;
import java.nio.channels.MulticastChannel;
import java.util.HashSet;
import java.util.Set;

/**
 * A multicast membership of a {@link UdpSocket} on a driver's own socket: any-source, valid until
 * dropped or the socket closes, and able to block sources as the JDK's keys can. There is no JDK
 * channel behind it.
 */
final class DriverMembership extends MembershipKey {
    private final DriverUdp owner;
    private final InetAddress group;
    private final NetworkInterface nif;
    /** The sources blocked, guarded by this key's monitor. */
    private final Set<InetAddress> blocked = new HashSet<>();

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

    /**
     * Stops receiving the group's datagrams from {@code source}; blocked already, nothing changes.
     *
     * @throws IllegalArgumentException if {@code source} is a wildcard or multicast address, or not of the group's family
     * @throws IllegalStateException if the membership was dropped
     */
    @Override
    public synchronized MembershipKey block(InetAddress source) throws IOException {
        if (source.isAnyLocalAddress() || source.isMulticastAddress()) {
            throw new IllegalArgumentException("cannot block " + source.getHostAddress()
                    + ": it is not a sender's address; block the unicast address datagrams come from");
        }
        if (source.getClass() != group.getClass()) {
            throw new IllegalArgumentException("cannot block " + source.getHostAddress() + " in group " + group.getHostAddress()
                    + ": the source must be of the group's family (IPv4 or IPv6)");
        }
        if (blocked.contains(source)) {
            return this;
        }
        owner.blockSource(this, source, true);
        blocked.add(source);
        return this;
    }

    /**
     * Receives the group's datagrams from {@code source} again.
     *
     * @throws IllegalStateException if {@code source} is not blocked, or the membership was dropped
     */
    @Override
    public synchronized MembershipKey unblock(InetAddress source) {
        if (!blocked.contains(source)) {
            throw new IllegalStateException(source.getHostAddress() + " is not blocked in group " + group.getHostAddress()
                    + " on " + nif.getName() + ": block it first");
        }
        try {
            owner.blockSource(this, source, false);
        } catch (IOException e) {
            throw new UncheckedIOException("unblocking " + source.getHostAddress() + " in group " + group.getHostAddress(), e);
        }
        blocked.remove(source);
        return this;
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
