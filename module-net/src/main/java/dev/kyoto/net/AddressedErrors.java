package dev.kyoto.net;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;

/**
 * The JDK's socket errors, named. A failed bind or connect says only "Address already in use" or
 * "Connection refused", not which address: these helpers rethrow such an error, of the same type
 * and with the JDK's error as its cause, with the address appended ({@code Connection refused:
 * 127.0.0.1:7000}, {@code [::1]:7000} for IPv6), as {@link UnixPaths} does for Unix-domain paths.
 *
 * <p>Only the {@link SocketException} family is renamed, and only types the helpers can make
 * again exactly. Any other {@link IOException} is returned as it is: the runtime's shutdown
 * error, for one, is recognised by its exact type and message.
 */
final class AddressedErrors {
    private AddressedErrors() {
    }

    /** The error to throw for a failed bind of {@code address}. */
    static IOException bindFailed(InetSocketAddress address, IOException e) {
        return named(address, e);
    }

    /** The error to throw for a failed connect to {@code address}. */
    static IOException connectFailed(InetSocketAddress address, IOException e) {
        return named(address, e);
    }

    /**
     * The JDK's own words for {@code e}, without the address {@link #named} appended: for a
     * message that names the address already ({@link HappyEyeballs}' "ADDRESS: reason").
     */
    static String reason(InetSocketAddress address, IOException e) {
        String message = e.getMessage();
        String suffix = ": " + SocketAddresses.format(address);
        return message != null && message.endsWith(suffix) ? message.substring(0, message.length() - suffix.length()) : message;
    }

    private static IOException named(InetSocketAddress address, IOException e) {
        String message = (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                + ": " + SocketAddresses.format(address);
        SocketException better;
        Class<?> type = e.getClass();
        if (type == BindException.class) {
            better = new BindException(message);
        } else if (type == ConnectException.class) {
            better = new ConnectException(message);
        } else if (type == NoRouteToHostException.class) {
            better = new NoRouteToHostException(message);
        } else if (type == PortUnreachableException.class) {
            better = new PortUnreachableException(message);
        } else if (type == SocketException.class) {
            better = new SocketException(message);
        } else {
            return e;
        }
        better.initCause(e);
        return better;
    }
}
