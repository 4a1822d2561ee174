package dev.kyoto.io.uring.internal.driver;

import dev.kyoto.io.uring.internal.sys.Sockets;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;

/**
 * The standard socket options of a TCP socket the driver owns, read and written with
 * {@code getsockopt} and {@code setsockopt}, with the JDK's types and conventions: booleans for
 * flags, {@code SO_LINGER} in seconds with -1 for off, buffer sizes as set (the kernel's figure
 * halved).
 */
final class SocketOptions {
    private SocketOptions() {
    }

    static <T> void set(int fd, SocketOption<T> name, T value) throws IOException {
        if (name == StandardSocketOptions.SO_LINGER) {
            int seconds = (Integer) value;
            Sockets.setOption(fd, Sockets.SOL_SOCKET, Sockets.SO_LINGER, seconds < 0 ? 0 : 1, Math.max(seconds, 0));
            return;
        }
        int[] at = where(name);
        int v = value instanceof Boolean b ? (b ? 1 : 0) : (Integer) value;
        Sockets.setOption(fd, at[0], at[1], v);
    }

    @SuppressWarnings("unchecked")
    static <T> T get(int fd, SocketOption<T> name) throws IOException {
        if (name == StandardSocketOptions.SO_LINGER) {
            int[] linger = Sockets.option(fd, Sockets.SOL_SOCKET, Sockets.SO_LINGER, 2);
            return (T) Integer.valueOf(linger[0] == 0 ? -1 : linger[1]);
        }
        int[] at = where(name);
        int v = Sockets.option(fd, at[0], at[1], 1)[0];
        if (name == StandardSocketOptions.SO_SNDBUF || name == StandardSocketOptions.SO_RCVBUF) {
            // Linux reserves, and reports, twice the size set; the JDK halves it back on Linux.
            v /= 2;
        }
        return (T) (name.type() == Boolean.class ? (Object) (v != 0) : (Object) v);
    }

    /**
     * The time-to-live of {@code fd}'s packets: {@code IP_TTL}, or {@code IPV6_UNICAST_HOPS} for a
     * socket of {@code address}'s family when it is IPv6.
     */
    static int ttl(int fd, SocketAddress address) throws IOException {
        return ttl(fd, isV6(address));
    }

    /** {@link #ttl(int, SocketAddress)} of an IPv6 socket or not. */
    static int ttl(int fd, boolean v6) throws IOException {
        return v6
                ? Sockets.option(fd, Sockets.IPPROTO_IPV6, Sockets.IPV6_UNICAST_HOPS, 1)[0]
                : Sockets.option(fd, Sockets.IPPROTO_IP, Sockets.IP_TTL, 1)[0];
    }

    /** Sets what {@link #ttl(int, SocketAddress)} reads. */
    static void setTtl(int fd, SocketAddress address, int ttl) throws IOException {
        setTtl(fd, isV6(address), ttl);
    }

    /** Whether a socket of {@code address}'s kind speaks IPv6; a Unix-domain socket has no time-to-live to speak of. */
    private static boolean isV6(SocketAddress address) {
        if (!(address instanceof InetSocketAddress inet)) {
            throw new UnsupportedOperationException("a Unix-domain socket has no time-to-live: IP_TTL is an internet socket's option");
        }
        return inet.getAddress() instanceof Inet6Address;
    }

    /** Sets what {@link #ttl(int, boolean)} reads. */
    static void setTtl(int fd, boolean v6, int ttl) throws IOException {
        if (v6) {
            Sockets.setOption(fd, Sockets.IPPROTO_IPV6, Sockets.IPV6_UNICAST_HOPS, ttl);
        } else {
            Sockets.setOption(fd, Sockets.IPPROTO_IP, Sockets.IP_TTL, ttl);
        }
    }

    private static int[] where(SocketOption<?> name) {
        if (name == StandardSocketOptions.TCP_NODELAY) {
            return new int[] {Sockets.IPPROTO_TCP, Sockets.TCP_NODELAY};
        }
        if (name == StandardSocketOptions.SO_KEEPALIVE) {
            return new int[] {Sockets.SOL_SOCKET, Sockets.SO_KEEPALIVE};
        }
        if (name == StandardSocketOptions.SO_SNDBUF) {
            return new int[] {Sockets.SOL_SOCKET, Sockets.SO_SNDBUF};
        }
        if (name == StandardSocketOptions.SO_RCVBUF) {
            return new int[] {Sockets.SOL_SOCKET, Sockets.SO_RCVBUF};
        }
        if (name == StandardSocketOptions.SO_REUSEADDR) {
            return new int[] {Sockets.SOL_SOCKET, Sockets.SO_REUSEADDR};
        }
        if (name == StandardSocketOptions.SO_REUSEPORT) {
            return new int[] {Sockets.SOL_SOCKET, Sockets.SO_REUSEPORT};
        }
        throw new UnsupportedOperationException("'" + name + "' is not supported by the io_uring driver's TCP sockets");
    }
}
