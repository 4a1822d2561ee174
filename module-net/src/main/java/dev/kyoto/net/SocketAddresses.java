package dev.kyoto.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * Socket addresses written as users type them: {@code HOST:PORT}, the form every Kyoto method that
 * takes an address as text reads back.
 *
 * <pre>{@code
 * TcpListener listener = rt.blockOn(TcpListener.bind("[::1]:0"));
 * System.out.println("listening on " + SocketAddresses.format(listener.localAddress()));   // [::1]:41237
 * }</pre>
 *
 * <p>{@link InetSocketAddress#toString()} writes {@code /127.0.0.1:7000}, or
 * {@code localhost/127.0.0.1:7000}, or {@code /[0:0:0:0:0:0:0:1]:7000}: none of them can be pasted
 * back. The {@code toString()} of {@link TcpStream}, {@link TcpListener} and {@link UdpSocket} use
 * this form too.
 */
public final class SocketAddresses {
    private SocketAddresses() {
    }

    /**
     * Writes {@code address} as {@code HOST:PORT}: {@code 127.0.0.1:7000} for IPv4, {@code [::1]:7000}
     * for IPv6 with the address compressed as RFC 5952 says (the longest run of two or more zero
     * groups, the first of equal runs, written {@code ::}), and {@code name:7000} for an
     * unresolved address. A resolved address is written without its host name, as it was
     * reached.
     */
    public static String format(InetSocketAddress address) {
        Objects.requireNonNull(address, "address");
        InetAddress a = address.getAddress();
        if (a == null) {
            return address.getHostString() + ":" + address.getPort();
        }
        return (a instanceof Inet6Address v6 ? "[" + compressed(v6) + "]" : a.getHostAddress()) + ":" + address.getPort();
    }

    private static String compressed(Inet6Address address) {
        String full = address.getHostAddress();
        int percent = full.indexOf('%');
        String scope = percent < 0 ? "" : full.substring(percent);
        String[] groups = (percent < 0 ? full : full.substring(0, percent)).split(":");
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < groups.length; ) {
            int j = i;
            while (j < groups.length && groups[j].equals("0")) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = Math.max(j, i + 1);
        }
        if (bestStart < 0) {
            return String.join(":", groups) + scope;
        }
        String head = String.join(":", List.of(groups).subList(0, bestStart));
        String tail = String.join(":", List.of(groups).subList(bestStart + bestLength, groups.length));
        return head + "::" + tail + scope;
    }
}
