package dev.kyoto.net.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.KyotoRuntime;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * This process's open file descriptors (from {@code /proc/self/fd}) and the I/O driver's
 * registrations, and a wait for both to come back to a baseline.
 *
 * <p>A closed registered socket keeps its descriptor until the selector next runs, and its
 * registration until the driver turn after; on a multi-thread runtime a worker may be between the
 * two when the descriptor count is already back. So the wait turns the runtime (one spawned task
 * that yields, awaited) and looks again, a bounded number of times: it waits on the driver's
 * progress, never on the clock. (Copied from module-net's {@code Released}, whose tests this
 * module cannot see.)
 */
final class Descriptors {
    /** Driver turns before the wait gives up and the assertion reports what it saw. */
    private static final int TURNS = 10_000;

    static {
        // The JDK opens one descriptor for the life of the JVM the first time NIO closes a socket
        // (the dispatcher's "pre-close" socket pair end): have it opened before any baseline.
        try (ServerSocketChannel l = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                SocketChannel c = SocketChannel.open(l.getLocalAddress());
                SocketChannel a = l.accept()) {
            a.shutdownOutput();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a loopback connection", e);
        }
    }

    private Descriptors() {
    }

    /**
     * The number of descriptors this process has open, not counting the one the count itself
     * takes ({@link File#list} reads the directory through one descriptor; {@link Files#list}
     * would take two).
     */
    static long open() {
        String[] names = new File("/proc/self/fd").list();
        if (names == null) {
            throw new UncheckedIOException(new IOException("cannot list /proc/self/fd"));
        }
        return names.length - 1;
    }

    /** The highest descriptor number this process has open (the listing's own may be it). */
    static int highest() {
        String[] names = new File("/proc/self/fd").list();
        if (names == null) {
            throw new UncheckedIOException(new IOException("cannot list /proc/self/fd"));
        }
        return Stream.of(names).mapToInt(Integer::parseInt).max().orElse(-1);
    }

    /** The sockets registered with {@code rt}'s I/O driver. */
    static long registrations(KyotoRuntime rt) {
        return rt.ioDriverMetrics().orElseThrow().registeredCount();
    }

    /** What each open descriptor is: {@code 17 -> socket:[123456]}, one string each. */
    static List<String> describe() {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : s.toList()) {
                try {
                    String target = Files.readSymbolicLink(p).toString();
                    out.add(p.getFileName() + " -> " + target + socketState(target));
                } catch (IOException e) {
                    // Closed between the listing and the look (the listing's own descriptor, say).
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list /proc/self/fd", e);
        }
        return out;
    }

    /**
     * For {@code socket:[INODE]}, the TCP socket's line of {@code /proc/net/tcp} or {@code tcp6}
     * (local and remote address, state) so that a failure says which socket was left open.
     */
    private static String socketState(String target) {
        if (!target.startsWith("socket:[")) {
            return "";
        }
        String inode = target.substring(8, target.length() - 1);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6", "/proc/net/unix")) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    if (List.of(f).contains(inode)) {
                        return " " + table + ": " + line.trim();
                    }
                }
            } catch (IOException e) {
                return "";
            }
        }
        return "";
    }

    /** A baseline: the counts once the runtime has turned and nothing changes between two looks. */
    static Baseline baseline(KyotoRuntime rt) throws Exception {
        long fds = open();
        long regs = registrations(rt);
        for (int turns = 0; turns < TURNS; turns++) {
            turn(rt);
            long f = open();
            long r = registrations(rt);
            if (f == fds && r == regs) {
                break;
            }
            fds = f;
            regs = r;
        }
        return new Baseline(fds, regs, describe());
    }

    /** Asserts that the process gets back to {@code base}'s descriptors and registrations. */
    static void awaitBack(KyotoRuntime rt, Baseline base, String what) throws Exception {
        long fds = open();
        long regs = registrations(rt);
        for (int turns = 0; (fds != base.fds() || regs != base.registrations()) && turns < TURNS; turns++) {
            turn(rt);
            fds = open();
            regs = registrations(rt);
        }
        if (fds != base.fds()) {
            List<String> now = describe();
            List<String> extra = now.stream().filter(d -> !base.described().contains(d)).toList();
            List<String> gone = base.described().stream().filter(d -> !now.contains(d)).toList();
            assertEquals(base.fds(), fds, what + ": open descriptors (new: " + extra + "; gone: " + gone + ")");
        }
        assertEquals(base.registrations(), regs, what + ": registrations");
    }

    private static void turn(KyotoRuntime rt) throws Exception {
        rt.blockOn(rt.spawn(Async.yieldNow()));
    }

    /** Open descriptors and registrations at a moment, and what the descriptors were, for a failure to show. */
    record Baseline(long fds, long registrations, List<String> described) {
    }
}
