package dev.kyoto.io.uring.internal.sys;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * {@link InetSocketAddress} to and from the kernel's {@code sockaddr_in} (16 bytes) and
 * {@code sockaddr_in6} (28 bytes): the family in host order, the port and address in network
 * order, and for IPv6 the flow label and scope id; and {@link UnixDomainSocketAddress} to and
 * from {@code sockaddr_un} (the family, then up to 108 bytes of path).
 */
public final class SocketAddresses {
    public static final short AF_UNIX = 1;
    public static final short AF_INET = 2;
    public static final short AF_INET6 = 10;
    /** Room for either form: {@code sizeof(struct sockaddr_in6)}. */
    public static final int MAX_SIZE = 28;
    /** {@code sizeof(struct sockaddr_un)}: room for any address, Unix-domain ones included. */
    public static final int UNIX_SIZE = 110;
    private static final int SUN_PATH = 2;
    private static final ValueLayout.OfShort NET_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private SocketAddresses() {
    }

    /** The address family {@code address} needs. */
    public static short family(InetSocketAddress address) {
        return address.getAddress() instanceof Inet6Address ? AF_INET6 : AF_INET;
    }

    /** The address family {@code address} needs, of either kind. */
    public static short family(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? family(inet) : AF_UNIX;
    }

    /**
     * Writes {@code address} into {@code into} (at least {@link #MAX_SIZE} bytes).
     *
     * @return its length, for the system call
     * @throws IllegalArgumentException if the address is unresolved
     */
    public static int write(InetSocketAddress address, MemorySegment into) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException(address + " is unresolved: resolve it before binding or connecting");
        }
        into.asSlice(0, MAX_SIZE).fill((byte) 0);
        into.set(NET_SHORT, 2, (short) address.getPort());
        if (ip instanceof Inet4Address) {
            into.set(ValueLayout.JAVA_SHORT, 0, AF_INET);
            MemorySegment.copy(ip.getAddress(), 0, into, ValueLayout.JAVA_BYTE, 4, 4);
            return 16;
        }
        into.set(ValueLayout.JAVA_SHORT, 0, AF_INET6);
        MemorySegment.copy(ip.getAddress(), 0, into, ValueLayout.JAVA_BYTE, 8, 16);
        into.set(ValueLayout.JAVA_INT, 24, ((Inet6Address) ip).getScopeId());
        return 28;
    }

    /**
     * Writes {@code address} for a socket of {@code family}: an IPv4 address for an IPv6 socket
     * as the IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}), which is how a dual-stack socket
     * reaches IPv4 peers.
     *
     * @return its length, for the system call
     */
    public static int write(InetSocketAddress address, MemorySegment into, short family) {
        int len = write(address, into);
        if (family != AF_INET6 || len == 28) {
            return len;
        }
        byte[] v4 = into.asSlice(4, 4).toArray(ValueLayout.JAVA_BYTE);
        into.asSlice(4, MAX_SIZE - 4).fill((byte) 0);
        into.set(ValueLayout.JAVA_SHORT, 0, AF_INET6);
        into.set(ValueLayout.JAVA_SHORT, 18, (short) -1);
        MemorySegment.copy(v4, 0, into, ValueLayout.JAVA_BYTE, 20, 4);
        return 28;
    }

    /**
     * Writes {@code address}, of either kind, for a socket of {@code family} into {@code into}
     * (at least {@link #UNIX_SIZE} bytes); an empty Unix path is the unnamed address.
     *
     * @return its length, for the system call
     * @throws IllegalArgumentException if a Unix path does not fit {@code sun_path}, with its NUL
     */
    public static int write(SocketAddress address, MemorySegment into, short family) {
        if (!(address instanceof UnixDomainSocketAddress unix)) {
            return write((InetSocketAddress) address, into, family);
        }
        byte[] path = unix.getPath().toString().getBytes(StandardCharsets.UTF_8);
        if (path.length > UNIX_SIZE - SUN_PATH - 1) {
            throw new IllegalArgumentException("the Unix-domain socket path " + unix.getPath() + " is too long for the system (it is "
                    + path.length + " bytes; Linux allows " + (UNIX_SIZE - SUN_PATH - 1)
                    + "): use a shorter path, such as a relative one or one in a short directory");
        }
        into.asSlice(0, UNIX_SIZE).fill((byte) 0);
        into.set(ValueLayout.JAVA_SHORT, 0, AF_UNIX);
        MemorySegment.copy(path, 0, into, ValueLayout.JAVA_BYTE, SUN_PATH, path.length);
        return path.length == 0 ? SUN_PATH : SUN_PATH + path.length + 1;
    }

    /**
     * Reads the address of {@code length} bytes the kernel wrote into {@code from}, of either
     * kind: a Unix-domain address with no path (an unbound or paired socket's) has the empty path,
     * as has a name in the abstract namespace, which {@link UnixDomainSocketAddress} cannot hold.
     */
    public static SocketAddress read(MemorySegment from, int length) {
        if (length < SUN_PATH) {
            // No address at all: the kernel's answer for an unnamed Unix-domain sender.
            return UnixDomainSocketAddress.of("");
        }
        if (from.get(ValueLayout.JAVA_SHORT, 0) != AF_UNIX) {
            return read(from);
        }
        int end = SUN_PATH;
        while (end < length && from.get(ValueLayout.JAVA_BYTE, end) != 0) {
            end++;
        }
        byte[] path = from.asSlice(SUN_PATH, end - SUN_PATH).toArray(ValueLayout.JAVA_BYTE);
        return UnixDomainSocketAddress.of(new String(path, StandardCharsets.UTF_8));
    }

    /**
     * Reads the address the kernel wrote into {@code from}.
     *
     * @throws IllegalArgumentException if it is neither {@code AF_INET} nor {@code AF_INET6}
     */
    public static InetSocketAddress read(MemorySegment from) {
        short family = from.get(ValueLayout.JAVA_SHORT, 0);
        int port = Short.toUnsignedInt(from.get(NET_SHORT, 2));
        try {
            if (family == AF_INET) {
                return new InetSocketAddress(InetAddress.getByAddress(from.asSlice(4, 4).toArray(ValueLayout.JAVA_BYTE)), port);
            }
            if (family == AF_INET6) {
                byte[] ip = from.asSlice(8, 16).toArray(ValueLayout.JAVA_BYTE);
                int scope = from.get(ValueLayout.JAVA_INT, 24);
                return new InetSocketAddress(scope == 0 ? InetAddress.getByAddress(ip) : Inet6Address.getByAddress(null, ip, scope), port);
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException("the kernel wrote an address of a wrong length", e);
        }
        throw new IllegalArgumentException("not an internet socket address: family " + family);
    }
}
