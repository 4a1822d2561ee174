package dev.kyoto.io.uring.internal.driver;

import dev.kyoto.io.uring.internal.sys.Sockets;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.Enumeration;

/**
 * The standard options of a UDP socket the driver owns, with the JDK's types and conventions: on
 * an IPv6 socket the IP options are their IPv6 counterparts ({@code IP_TOS} the traffic class,
 * {@code IP_MULTICAST_TTL} the multicast hop limit), and {@code IP_MULTICAST_IF} is a
 * {@link NetworkInterface}, null until set.
 */
final class DatagramOptions {
    private static final int SO_BROADCAST = 6;
    private static final int IP_TOS = 1;
    private static final int IP_MULTICAST_IF = 32;
    private static final int IP_MULTICAST_TTL = 33;
    private static final int IP_MULTICAST_LOOP = 34;
    private static final int IPV6_MULTICAST_IF = 17;
    private static final int IPV6_MULTICAST_HOPS = 18;
    private static final int IPV6_MULTICAST_LOOP = 19;
    private static final int IPV6_TCLASS = 67;

    private DatagramOptions() {
    }

    static <T> void set(int fd, boolean v6, SocketOption<T> name, T value) throws IOException {
        if (name == StandardSocketOptions.IP_MULTICAST_IF) {
            NetworkInterface nif = (NetworkInterface) value;
            if (v6) {
                Sockets.setOption(fd, Sockets.IPPROTO_IPV6, IPV6_MULTICAST_IF, nif.getIndex());
            } else {
                Sockets.setOptionBytes(fd, Sockets.IPPROTO_IP, IP_MULTICAST_IF, ipv4Of(nif).getAddress());
            }
            return;
        }
        if (name == StandardSocketOptions.SO_SNDBUF || name == StandardSocketOptions.SO_RCVBUF) {
            SocketOptions.set(fd, name, value);
            return;
        }
        int[] at = where(name, v6);
        int v = value instanceof Boolean b ? (b ? 1 : 0) : (Integer) value;
        Sockets.setOption(fd, at[0], at[1], v);
    }

    @SuppressWarnings("unchecked")
    static <T> T get(int fd, boolean v6, SocketOption<T> name) throws IOException {
        if (name == StandardSocketOptions.IP_MULTICAST_IF) {
            if (v6) {
                int index = Sockets.option(fd, Sockets.IPPROTO_IPV6, IPV6_MULTICAST_IF, 1)[0];
                return (T) (index == 0 ? null : NetworkInterface.getByIndex(index));
            }
            InetAddress a = InetAddress.getByAddress(Sockets.optionBytes(fd, Sockets.IPPROTO_IP, IP_MULTICAST_IF, 4));
            return (T) (a.isAnyLocalAddress() ? null : NetworkInterface.getByInetAddress(a));
        }
        if (name == StandardSocketOptions.SO_SNDBUF || name == StandardSocketOptions.SO_RCVBUF) {
            return SocketOptions.get(fd, name);
        }
        int[] at = where(name, v6);
        int v = Sockets.option(fd, at[0], at[1], 1)[0];
        return (T) (name.type() == Boolean.class ? (Object) (v != 0) : (Object) v);
    }

    /** The interface's first IPv4 address, which is how the JDK names it to an IPv4 socket. */
    static Inet4Address ipv4Of(NetworkInterface nif) throws IOException {
        for (Enumeration<InetAddress> e = nif.getInetAddresses(); e.hasMoreElements(); ) {
            if (e.nextElement() instanceof Inet4Address a) {
                return a;
            }
        }
        throw new IOException("interface " + nif.getName() + " has no IPv4 address, which an IPv4 socket needs to name it");
    }

    private static int[] where(SocketOption<?> name, boolean v6) {
        if (name == StandardSocketOptions.SO_BROADCAST) {
            return new int[] {Sockets.SOL_SOCKET, SO_BROADCAST};
        }
        if (name == StandardSocketOptions.SO_REUSEADDR) {
            return new int[] {Sockets.SOL_SOCKET, Sockets.SO_REUSEADDR};
        }
        if (name == StandardSocketOptions.IP_TOS) {
            return v6 ? new int[] {Sockets.IPPROTO_IPV6, IPV6_TCLASS} : new int[] {Sockets.IPPROTO_IP, IP_TOS};
        }
        if (name == StandardSocketOptions.IP_MULTICAST_TTL) {
            return v6 ? new int[] {Sockets.IPPROTO_IPV6, IPV6_MULTICAST_HOPS} : new int[] {Sockets.IPPROTO_IP, IP_MULTICAST_TTL};
        }
        if (name == StandardSocketOptions.IP_MULTICAST_LOOP) {
            return v6 ? new int[] {Sockets.IPPROTO_IPV6, IPV6_MULTICAST_LOOP} : new int[] {Sockets.IPPROTO_IP, IP_MULTICAST_LOOP};
        }
        throw new UnsupportedOperationException("'" + name + "' is not supported by the io_uring driver's UDP sockets");
    }
}
