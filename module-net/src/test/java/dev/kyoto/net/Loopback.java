package dev.kyoto.net;

import dev.kyoto.io.spi.SocketDriver;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Handle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.spi.DriverHandle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;

/** Helpers shared by the networking tests: runtimes, an echo server task, refused ports, open descriptors. */
final class Loopback {
    private Loopback() {
    }

    /** Whether {@code rt}'s driver owns its TCP sockets (io_uring), so that they are not JDK channels. */
    static boolean driverOwnsSockets(KyotoRuntime rt) throws Exception {
        return rt.blockOn(cx -> Poll.ready(DriverHandle.current().io().driver() instanceof SocketDriver));
    }

    static KyotoRuntime runtime() {
        return KyotoRuntime.builder().currentThread().enableAll().build();
    }

    /** Both runtime flavours with I/O and timers, for tests that must hold on each. */
    static Stream<Named<Supplier<KyotoRuntime>>> flavours() {
        return Stream.of(
                Named.of("current-thread", () -> KyotoRuntime.builder().currentThread().enableAll().build()),
                Named.of("multi-thread", () -> KyotoRuntime.builder().multiThread().workerThreads(2).enableAll().build()));
    }

    /**
     * Has the JDK open the descriptor it keeps for the JVM's life the first time NIO closes a
     * socket (the dispatcher's "pre-close" socket pair end), so that it is in every baseline of a
     * descriptor count rather than counted as a leak by whichever test closes a socket first.
     */
    static void openJdkPreCloseDescriptor() throws IOException {
        try (ServerSocketChannel l = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                SocketChannel c = SocketChannel.open(l.getLocalAddress());
                SocketChannel a = l.accept()) {
            a.shutdownOutput();
        }
    }

    /**
     * Has the JDK open the descriptors of its pollers for virtual threads (epoll instances it
     * keeps for the JVM's life, four here), which it opens the first time a virtual thread blocks
     * in a selector, as a runtime's virtual worker does: they then belong to every baseline of a
     * descriptor count instead of looking like a leak of whichever test first parks one.
     */
    static void openJdkVirtualThreadPollers() throws Exception {
        Thread t = Thread.ofVirtual().start(() -> {
            try (Selector s = Selector.open()) {
                s.select(1);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        t.join();
    }

    /** A loopback address on which nothing listens: bound once to learn a free port, then closed. */
    static InetSocketAddress refusedAddress() throws IOException {
        try (ServerSocketChannel ch = ServerSocketChannel.open()) {
            ch.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return (InetSocketAddress) ch.getLocalAddress();
        }
    }

    /** Spawns a task that accepts connections forever and echoes each one in its own task. */
    static void spawnEchoServer(TcpListener listener) {
        Handle.current().spawn(acceptLoop(listener));
    }

    private static Async<Void> acceptLoop(TcpListener listener) {
        return listener.accept().then(stream -> {
            Handle.current().spawn(echo(stream, ByteBuffer.allocate(64 * 1024)));
            return acceptLoop(listener);
        });
    }

    /** Echoes until end of stream, then closes the stream. */
    static Async<Void> echo(TcpStream stream, ByteBuffer buf) {
        buf.clear();
        return stream.read(buf).then(n -> {
            if (n < 0) {
                try {
                    stream.close();
                } catch (IOException e) {
                    return Async.failed(e);
                }
                return Async.ready(null);
            }
            buf.flip();
            return stream.writeAll(buf).then(v -> echo(stream, buf));
        });
    }

    /**
     * Waits until this process has {@code expected} descriptors open again, letting the runtime's
     * driver turn meanwhile (closed sockets are released when it runs), and returns the count seen
     * last. Gives up after many turns, for the caller to report.
     */
    static long awaitDescriptors(KyotoRuntime rt, long expected) throws Exception {
        long now = openDescriptors();
        for (int turns = 0; now != expected && turns < 10_000; turns++) {
            rt.blockOn(rt.spawn(Async.yieldNow()));
            now = openDescriptors();
        }
        return now;
    }

    /** The number of file descriptors this process has open. */
    /** The sockets the process has open, as {@code /proc/self/fd} names them ({@code socket:[inode]}). */
    static Set<String> openSockets() throws IOException {
        Set<String> sockets = new HashSet<>();
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : s.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:")) {
                        sockets.add(target);
                    }
                } catch (IOException e) {
                    // Closed between the listing and the look.
                }
            }
        }
        return sockets;
    }

    static long openDescriptors() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }
}
