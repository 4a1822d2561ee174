package dev.kyoto.cli;

import java.net.Inet6Address;
import java.net.InetSocketAddress;

/**
 * Writes socket addresses in the {@code HOST:PORT} form the commands accept, so that an address
 * the tool prints can be pasted back into it ({@link InetSocketAddress#toString()} writes
 * {@code name/1.2.3.4:80} instead).
 */
final class SocketAddresses {
    private SocketAddresses() {
    }

    /** {@code 127.0.0.1:7000}, or {@code [::1]:7000} for IPv6. */
    static String hostAndPort(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (address.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
