package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Handle;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Tokio's tcp_accept suite, and many accept waiters on one listener. */
class TcpAcceptTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:0", "localhost:0", "[::1]:0"})
    void theClientsLocalAddressIsTheAcceptedPeerAddress(String bindTo) {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); TcpListener listener = rt.blockOn(TcpListener.bind(bindTo))) {
                JoinHandle<TcpStream> accepted = rt.spawn(listener.accept());
                TcpStream client = rt.blockOn(TcpStream.connect(listener.localAddress()));
                TcpStream server = rt.blockOn(accepted);
                assertEquals(client.localAddress(), server.peerAddress());
                assertEquals(server.localAddress(), client.peerAddress());
                client.close();
                server.close();
            }
        });
    }

    @Test
    void bindingASocketAddressWorksAsTheStringDoes() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime();
                    TcpListener listener = rt.blockOn(TcpListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))) {
                try (Socket peer = new Socket(listener.localAddress().getAddress(), listener.localAddress().getPort());
                        TcpStream server = rt.blockOn(listener.accept())) {
                    assertEquals(peer.getLocalSocketAddress(), server.peerAddress());
                }
            }
        });
    }

    @Test
    void oneConnectionWakesEveryPendingAcceptAndEachConnectionGoesToOne() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"))) {
                List<Probe<TcpStream>> accepts = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    Probe<TcpStream> a = new Probe<>(rt, listener.accept());
                    assertTrue(a.poll().isPending());
                    accepts.add(a);
                }
                List<Socket> peers = new ArrayList<>();
                peers.add(new Socket(listener.localAddress().getAddress(), listener.localAddress().getPort()));
                for (Probe<TcpStream> a : accepts) {
                    a.awaitWakes(1);
                }
                int served = 0;
                List<TcpStream> streams = new ArrayList<>();
                for (Probe<TcpStream> a : accepts) {
                    var p = a.poll();
                    if (p.isReady()) {
                        served++;
                        streams.add(p.value());
                    }
                }
                assertEquals(1, served, "one connection, one accept");
                for (int i = 1; i < 50; i++) {
                    peers.add(new Socket(listener.localAddress().getAddress(), listener.localAddress().getPort()));
                }
                for (Probe<TcpStream> a : accepts) {
                    if (streams.size() == 50) {
                        break;
                    }
                    var p = a.poll();
                    while (p.isPending()) {
                        rt.blockOn(Async.yieldNow());
                        p = a.poll();
                    }
                    if (!streams.contains(p.value())) {
                        streams.add(p.value());
                    }
                }
                assertEquals(50, streams.size());
                for (TcpStream s : streams) {
                    s.close();
                }
                for (Socket s : peers) {
                    s.close();
                }
            }
        });
    }

    @Test
    void closingTheListenerFailsEveryPendingAccept() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                List<Probe<TcpStream>> accepts = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    Probe<TcpStream> a = new Probe<>(rt, listener.accept());
                    assertTrue(a.poll().isPending());
                    accepts.add(a);
                }
                listener.close();
                for (Probe<TcpStream> a : accepts) {
                    assertEquals(1, a.wakes.get(), "woken by the close");
                    assertEquals("listener closed", assertThrows(IOException.class, a::poll).getMessage());
                }
            }
        });
    }

    /**
     * Many acceptor tasks on a multi-thread runtime share one listener while plain threads
     * connect: every connection is accepted exactly once, and nobody hangs.
     */
    @Test
    void stressManyAcceptorsOnOneListener() {
        assertTimeoutPreemptively(LIMIT, () -> {
            int acceptors = 8;
            int connections = 2_000;
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(2).enableAll().build()) {
                for (int round = 0; round < 3; round++) {
                    TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                    AtomicInteger accepted = new AtomicInteger();
                    AtomicInteger remaining = new AtomicInteger(connections);
                    List<JoinHandle<Integer>> tasks = new ArrayList<>();
                    for (int i = 0; i < acceptors; i++) {
                        tasks.add(rt.spawn(acceptUntilDone(listener, remaining, accepted, 0)));
                    }
                    InetSocketAddress at = listener.localAddress();
                    List<Thread> clients = new ArrayList<>();
                    for (int t = 0; t < 4; t++) {
                        clients.add(Thread.ofPlatform().start(() -> {
                            for (int i = 0; i < connections / 4; i++) {
                                try (Socket s = new Socket(at.getAddress(), at.getPort())) {
                                    s.getInputStream().read();
                                } catch (IOException e) {
                                    throw new java.io.UncheckedIOException(e);
                                }
                            }
                        }));
                    }
                    for (Thread c : clients) {
                        c.join();
                    }
                    int total = 0;
                    listener.close();
                    for (JoinHandle<Integer> t : tasks) {
                        total += rt.blockOn(t.recover(e -> -1));
                    }
                    assertEquals(connections, accepted.get(), "every connection accepted exactly once");
                    assertTrue(total <= 0, "acceptors end when the listener closes");
                }
            }
        });
    }

    /** Accepts and closes connections (so the client's read returns) until all are in; then waits to be failed by the close. */
    private static Async<Integer> acceptUntilDone(TcpListener listener, AtomicInteger remaining, AtomicInteger accepted, int mine) {
        return listener.accept().then(s -> {
            // Counted, not identified by the peer's port: the server closes first, so the client's
            // side keeps no TIME_WAIT and the kernel may give a later connect the same port.
            accepted.incrementAndGet();
            s.close();
            remaining.decrementAndGet();
            Handle.current();
            return acceptUntilDone(listener, remaining, accepted, mine + 1);
        });
    }
}
