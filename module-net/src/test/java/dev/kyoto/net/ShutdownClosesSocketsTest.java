package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.KyotoRuntime;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Closing a runtime releases the sockets registered with it. The README's server closes each
 * connection's socket when the connection's task ends; but a runtime that closes cancels those
 * tasks instead, and a cancelled computation does not run the rest of its chain. In Tokio the task
 * owns its socket and dropping the task closes it; here the I/O driver closes, at shutdown, every
 * socket still registered with it (as Netty's event loop closes its channels when it shuts down):
 * they can do nothing but fail with the shutdown error anyway.
 */
class ShutdownClosesSocketsTest {
    private static final int CLIENTS = 20;

    static Stream<Named<Supplier<KyotoRuntime>>> flavours() {
        return Stream.of(
                Named.of("current-thread", () -> KyotoRuntime.builder().currentThread().enableAll().build()),
                Named.of("multi-thread", () -> KyotoRuntime.builder().multiThread().workerThreads(2).enableAll().build()));
    }

    @ParameterizedTest
    @MethodSource("flavours")
    void closingTheRuntimeClosesTheSocketsOfTheReadmeServersConnections(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            // What the JVM opens once and keeps (jar files, the NIO dispatcher's socket) is opened first.
            serveAndClose(flavour.get(), 1);
            long before = Loopback.openDescriptors();
            serveAndClose(flavour.get(), CLIENTS);
            assertEquals(before, Loopback.openDescriptors(),
                    "descriptors after the runtime closed with " + CLIENTS + " connections open, and the clients closed");
        });
    }

    @Test
    void aConnectPendingWhenTheRuntimeClosesHasItsSocketClosed() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (Blackhole hole = new Blackhole()) {
                KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(2).enableAll().build();
                Set<String> before = Loopback.openSockets();
                rt.spawn(TcpStream.connect(hole.address()));
                // The connect's socket is open (and its connect pending, since the blackhole
                // answers no SYN) once a socket appears that was not there before.
                Set<String> opened;
                do {
                    rt.blockOn(rt.spawn(Async.yieldNow()));
                    opened = new HashSet<>(Loopback.openSockets());
                    opened.removeAll(before);
                } while (opened.isEmpty());
                rt.close();
                Set<String> left = Loopback.openSockets();
                left.retainAll(opened);
                assertEquals(Set.of(), left, "the pending connect's socket after the runtime closed");
            }
        });
    }

    /** Serves {@code clients} connections with the README's server, closes the runtime with them open, then closes the clients. */
    private static void serveAndClose(KyotoRuntime rt, int clients) throws Exception {
        List<Socket> sockets = new ArrayList<>();
        try {
            TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
            rt.spawn(ReadmeEchoServer.serve(listener));
            for (int i = 0; i < clients; i++) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), listener.localAddress().getPort());
                sockets.add(s);
                s.getOutputStream().write(i);
                // Driven by a thread in blockOn on a current-thread runtime; the echo says the server holds the connection.
                int echoed = rt.blockOn(rt.spawnBlocking(() -> s.getInputStream().read()));
                assertEquals(i, echoed);
            }
        } finally {
            rt.close();
            for (Socket s : sockets) {
                closeQuietly(s);
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
