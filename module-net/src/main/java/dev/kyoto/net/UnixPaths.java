package dev.kyoto.net;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Unix-domain socket paths and the JDK's errors about them. The JDK's messages name neither the
 * path nor a way out ("Address already in use", "No such file or directory", "Unix domain path too
 * long"); these helpers rethrow them, of the same type, saying which path and what to do.
 */
final class UnixPaths {
    /** The JDK's message for a path longer than {@code sun_path} allows (106 bytes on Linux). */
    private static final String TOO_LONG = "Unix domain path too long";

    private UnixPaths() {
    }

    static UnixDomainSocketAddress address(Path path) {
        return UnixDomainSocketAddress.of(path);
    }

    /** The error to throw for a failed bind of {@code path}. */
    static Exception bindFailed(Path path, IOException e) {
        if (TOO_LONG.equals(e.getMessage())) {
            return tooLong(path, e);
        }
        IOException better;
        if (e instanceof BindException) {
            better = new BindException("Address already in use: " + path + " exists, bound by another socket or left over "
                    + "from one that closed (a closed UnixListener or UnixDatagram does not delete its file); delete it, or bind another path");
        } else if (e instanceof SocketException && !Files.isDirectory(parent(path))) {
            better = new SocketException("cannot bind a Unix-domain socket at " + path + " (" + e.getMessage()
                    + "): its directory does not exist; create it first");
        } else {
            return e;
        }
        better.initCause(e);
        return better;
    }

    /** The error to throw for a failed connect to {@code path}. */
    static Exception connectFailed(Path path, IOException e) {
        if (TOO_LONG.equals(e.getMessage())) {
            return tooLong(path, e);
        }
        IOException better;
        if (e instanceof ConnectException) {
            better = new ConnectException("Connection refused: nothing listens on the Unix-domain socket " + path
                    + "; the file may be left over from a listener that closed");
        } else if (e instanceof SocketException && !Files.exists(path)) {
            better = new SocketException("no Unix-domain socket at " + path + " (" + e.getMessage()
                    + "): bind a UnixListener to that path first, or check the path");
        } else {
            return e;
        }
        better.initCause(e);
        return better;
    }

    private static IllegalArgumentException tooLong(Path path, IOException e) {
        return new IllegalArgumentException("the Unix-domain socket path " + path + " is too long for the system (it is "
                + path.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                + " bytes; Linux allows 106): use a shorter path, such as a relative one or one in a short directory", e);
    }

    private static Path parent(Path path) {
        Path parent = path.toAbsolutePath().getParent();
        return parent == null ? path.toAbsolutePath().getRoot() : parent;
    }
}
