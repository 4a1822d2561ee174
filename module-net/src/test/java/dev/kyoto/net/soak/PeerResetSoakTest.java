package dev.kyoto.net.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.net.AcceptBackoff;
import dev.kyoto.net.TcpListener;
import dev.kyoto.net.TcpSocket;
import dev.kyoto.net.TcpStream;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Handle;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Peers that reset their connections ({@code SO_LINGER} 0, then close) at every point of an
 * exchange, by the thousand: each task on the other side wakes with the failure, ends and closes
 * its socket; none hangs, and nothing stays open.
 */
class PeerResetSoakTest {
    private static final int CONNECTIONS = Soak.size(300, 20_000);
    private static final int AT_ONCE = 16;
    /** The clients' socket buffers, small so that a client that stops reading stalls the server soon. */
    private static final int CLIENT_BUFFER = 8 * 1024;
    private static final Duration LIMIT = Duration.ofMinutes(5);
    private static final Figures FIGURES = Figures.of(PeerResetSoakTest.class);

    /**
     * Clients of the README's echo server reset their connection: at once; in the middle of an
     * echo (32 KiB sent, 1 KiB of it read back); or in full flow, having written without reading
     * until their own write had to wait (their buffers are small, so the server's echo backs up
     * too). Every server task ends, with the reset as its failure.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Flavour.class)
    void clientsThatResetEndEveryServerTask(Flavour flavour) {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = flavour.build("reset")) {
                Descriptors.Baseline base = Descriptors.baseline(rt);
                EchoServer server = EchoServer.start(rt);
                Counter written = new Counter();
                long start = System.nanoTime();
                List<JoinHandle<Void>> clients = new ArrayList<>();
                for (int i = 0; i < AT_ONCE; i++) {
                    clients.add(rt.spawn(resettingClients(server.address(), i, written)));
                }
                for (JoinHandle<Void> h : clients) {
                    rt.blockOn(h);
                }
                rt.blockOn(server.ended.atLeast(CONNECTIONS));
                double seconds = (System.nanoTime() - start) / 1e9;
                assertEquals(CONNECTIONS, server.accepted.get(), "accepted");
                assertEquals(CONNECTIONS, server.ended.get(), "server tasks ended");
                assertEquals(CONNECTIONS, server.failed.get(), "server tasks that ended with the reset");
                server.close();
                Descriptors.awaitBack(rt, base, "after " + CONNECTIONS + " resets");
                FIGURES.add("clients reset, %s: %,d connections (a third each: at once, mid-echo, in full flow) in %.1f s;"
                        + " %,d server tasks ended, %,d with the reset; those in full flow wrote %.0f KiB each on average, without reading, before their write had to wait;"
                        + " descriptors %d before, %d after", flavour, CONNECTIONS, seconds, server.ended.get(),
                        server.failed.get(), written.get() / 1024.0 / (CONNECTIONS / 3), base.fds(), Descriptors.open());
            }
        });
    }

    private static Async<Void> resettingClients(InetSocketAddress server, int i, Counter written) {
        if (i >= CONNECTIONS) {
            return Async.ready(null);
        }
        return smallBuffered().then(socket -> socket.connect(server)).then(s -> (switch (i % 3) {
            case 0 -> Async.<Void>ready(null);
            case 1 -> s.writeAll(ByteBuffer.allocate(32 * 1024)).then(v -> s.readExact(ByteBuffer.allocate(1024)));
            default -> writeUntilPending(s, written);
        }).map(v -> {
            s.setZeroLinger();
            s.close();
            return null;
        })).then(v -> resettingClients(server, i + AT_ONCE, written));
    }

    private static Async<TcpSocket> smallBuffered() {
        return cx -> {
            TcpSocket socket = TcpSocket.newV4();
            socket.setSendBufferSize(CLIENT_BUFFER);
            socket.setReceiveBufferSize(CLIENT_BUFFER);
            return Poll.ready(socket);
        };
    }

    /** Writes without reading until the write has to wait: the server, echoing, is stuck writing too. */
    private static Async<Void> writeUntilPending(TcpStream s, Counter written) {
        ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
        return cx -> {
            for (;;) {
                Poll<Integer> p = s.pollWrite(cx, chunk.clear());
                if (p.isPending()) {
                    return Poll.ready(null);
                }
                written.add(p.value());
            }
        };
    }

    /**
     * A server that reads one byte from each connection and resets it, while the client waits on
     * a read: every client read fails, naming the reset.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Flavour.class)
    void aServerThatResetsFailsEveryPendingClientRead(Flavour flavour) {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = flavour.build("reset")) {
                Descriptors.Baseline base = Descriptors.baseline(rt);
                TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                Counter acceptFailures = new Counter();
                JoinHandle<Void> server = rt.spawn(resetEach(listener,
                        new AcceptBackoff((failure, pause) -> acceptFailures.increment())));
                Counter resetSeen = new Counter();
                long start = System.nanoTime();
                List<JoinHandle<Void>> clients = new ArrayList<>();
                for (int i = 0; i < AT_ONCE; i++) {
                    clients.add(rt.spawn(readUntilReset(listener.localAddress(), i, resetSeen)));
                }
                for (JoinHandle<Void> h : clients) {
                    rt.blockOn(h);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                assertEquals(CONNECTIONS, resetSeen.get(), "client reads that failed with the reset");
                assertEquals(0, acceptFailures.get(), "accept failures");
                listener.close();
                try {
                    rt.blockOn(server);
                } catch (IOException e) {
                    assertEquals("listener closed", e.getMessage());
                }
                Descriptors.awaitBack(rt, base, "after " + CONNECTIONS + " resets");
                FIGURES.add("server resets, %s: %,d pending client reads, every one failed naming the reset, in %.1f s;"
                        + " descriptors %d before, %d after", flavour, resetSeen.get(), seconds, base.fds(), Descriptors.open());
            }
        });
    }

    private static Async<Void> resetEach(TcpListener listener, AcceptBackoff backoff) {
        return backoff.accept(listener).then(s -> {
            Handle.current().spawn(s.readExact(ByteBuffer.allocate(1)).map(v -> {
                s.setZeroLinger();
                s.close();
                return null;
            }).recover(e -> {
                s.close();
                throw e;
            }));
            return resetEach(listener, backoff);
        });
    }

    private static Async<Void> readUntilReset(InetSocketAddress server, int i, Counter resetSeen) {
        if (i >= CONNECTIONS) {
            return Async.ready(null);
        }
        return TcpStream.connect(server).then(s -> s.writeAll(ByteBuffer.allocate(1))
                .then(v -> s.read(ByteBuffer.allocate(1)))
                .<Void>map(n -> {
                    s.close();
                    throw new AssertionError("connection " + i + ": read " + n + " from a server that resets");
                })
                .recover(e -> {
                    s.close();
                    assertTrue(e instanceof IOException && String.valueOf(e.getMessage()).contains("reset"),
                            "connection " + i + ": the read failed without naming the reset: " + e);
                    resetSeen.increment();
                    return null;
                }))
                .then(v -> readUntilReset(server, i + AT_ONCE, resetSeen));
    }
}
