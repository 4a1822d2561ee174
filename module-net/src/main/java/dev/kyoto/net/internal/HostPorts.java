package dev.kyoto.net.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Parsing of {@code HOST:PORT} strings and of address literals, without touching DNS; the
 * writing is public, {@link dev.kyoto.net.SocketAddresses#format}.
 */
public final class HostPorts {
    private HostPorts() {
    }

    /** A host and a port, as written by the user. */
    public record HostPort(String host, int port) {
    }

    /**
     * Splits {@code HOST:PORT}, {@code [IPV6]:PORT} or {@code IPV6-LITERAL:PORT}.
     *
     * @throws IllegalArgumentException naming the expected form if the text has no valid port
     */
    public static HostPort parse(String hostAndPort) {
        String s = hostAndPort == null ? "" : hostAndPort.strip();
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw invalid(hostAndPort);
            }
            host = s.substring(1, close);
            port = s.substring(close + 2);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon <= 0) {
                throw invalid(hostAndPort);
            }
            host = s.substring(0, colon);
            port = s.substring(colon + 1);
            if (host.indexOf(':') >= 0 && literal(host) == null) {
                throw invalid(hostAndPort);
            }
        }
        return new HostPort(host, port(port, hostAndPort));
    }

    private static int port(String text, String whole) {
        try {
            int p = Integer.parseInt(text);
            if (p < 0 || p > 65535) {
                throw new IllegalArgumentException("port " + p + " is out of range 0-65535 in \"" + whole + "\"");
            }
            return p;
        } catch (NumberFormatException e) {
            throw invalid(whole);
        }
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("invalid socket address \"" + text
                + "\": expected HOST:PORT, for example 127.0.0.1:8080, [::1]:8080 or localhost:8080");
    }

    /** The address if {@code host} is an IPv4 or IPv6 literal, else null. Never queries DNS. */
    public static InetAddress literal(String host) {
        if (host.isEmpty()) {
            return null;
        }
        try {
            return InetAddress.ofLiteral(host);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The addresses for a literal host, or null if the host is a name that needs resolving. */
    public static List<InetSocketAddress> literalAddresses(String host, int port) {
        InetAddress a = literal(host);
        return a == null ? null : List.of(new InetSocketAddress(a, port));
    }
}
