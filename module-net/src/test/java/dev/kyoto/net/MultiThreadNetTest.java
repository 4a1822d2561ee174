package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Handle;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Sockets on both scheduler flavours: echo with both ends in tasks, shutdown, fairness. */
class MultiThreadNetTest {

    static Stream<Named<Supplier<KyotoRuntime>>> flavours() {
        return Stream.of(
                Named.of("current-thread", () -> KyotoRuntime.builder().currentThread().enableAll().build()),
                Named.of("multi-thread", () -> KyotoRuntime.builder().multiThread().workerThreads(4).enableAll().build()));
    }

    static Stream<Named<Supplier<KyotoRuntime>>> singleWorker() {
        return Stream.of(
                Named.of("current-thread", () -> KyotoRuntime.builder().currentThread().enableAll().build()),
                Named.of("multi-thread, one worker", () -> KyotoRuntime.builder().multiThread().workerThreads(1).enableAll().build()));
    }

    @ParameterizedTest
    @MethodSource("flavours")
    void echoWithBothEndsInSpawnedTasks(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (KyotoRuntime rt = flavour.get()) {
                TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                rt.spawn(cx -> {
                    Loopback.spawnEchoServer(listener);
                    return Poll.ready(null);
                });
                int clients = 32;
                List<JoinHandle<byte[]>> results = new ArrayList<>();
                List<byte[]> sent = new ArrayList<>();
                for (int c = 0; c < clients; c++) {
                    byte[] data = new byte[256 * 1024];
                    new Random(c).nextBytes(data);
                    sent.add(data);
                    results.add(rt.spawn(TcpStream.connect(listener.localAddress()).then(s -> {
                        byte[] back = new byte[data.length];
                        JoinHandle<Void> writer = Handle.current().spawn(s.writeAll(ByteBuffer.wrap(data)));
                        return s.readExact(ByteBuffer.wrap(back)).then(v -> writer).map(v -> {
                            s.close();
                            return back;
                        });
                    })));
                }
                for (int c = 0; c < clients; c++) {
                    assertArrayEquals(sent.get(c), rt.blockOn(results.get(c)), "client " + c);
                }
                listener.close();
            }
        });
    }

    @ParameterizedTest
    @MethodSource("flavours")
    void closeWithTasksParkedOnIoCancelsThemAll(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            KyotoRuntime rt = flavour.get();
            TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
            int n = 50;
            List<JoinHandle<Integer>> readers = new ArrayList<>();
            List<TcpStream> clients = new ArrayList<>();
            JoinHandle<Void> acceptor = rt.spawn(acceptAndPark(listener, n, readers));
            for (int i = 0; i < n; i++) {
                clients.add(rt.blockOn(TcpStream.connect(listener.localAddress())));
            }
            // Waited for in blockOn, not outside it: a current-thread runtime runs its tasks only
            // there, and the acceptor must not depend on its accepts being ready during the connects.
            rt.blockOn(acceptor);
            JoinHandle<TcpStream> pendingAccept = rt.spawn(listener.accept());
            rt.close();
            assertThrows(CancellationException.class, () -> pendingAccept.toCompletableFuture().join());
            for (JoinHandle<Integer> r : readers) {
                assertThrows(CancellationException.class, () -> r.toCompletableFuture().join());
            }
            for (TcpStream c : clients) {
                c.close();
            }
            listener.close();
        });
    }

    private static Async<Void> acceptAndPark(TcpListener listener, int remaining, List<JoinHandle<Integer>> readers) {
        if (remaining == 0) {
            return Async.ready(null);
        }
        return listener.accept().then(s -> {
            synchronized (readers) {
                readers.add(Handle.current().spawn(s.read(ByteBuffer.allocate(16))));
            }
            return acceptAndPark(listener, remaining - 1, readers);
        });
    }

    /**
     * A socket that always has data keeps its reader ready forever: a plain thread keeps it full
     * while the reader takes one byte at a time. The cooperative budget must still make that task
     * yield, so another task on the same (only) thread gets to finish. Without the budget the
     * reader never returns pending and the test times out (checked).
     */
    @ParameterizedTest
    @MethodSource("singleWorker")
    void anAlwaysReadySocketCannotStarveAnotherTask(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (KyotoRuntime rt = flavour.get()) {
                TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                AtomicBoolean stop = new AtomicBoolean();
                CountDownLatch filled = new CountDownLatch(1);
                java.net.InetSocketAddress address = listener.localAddress();
                Thread feeder = Thread.ofPlatform().start(() -> {
                    try (java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open(address)) {
                        ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
                        ch.write(chunk);
                        filled.countDown();
                        while (!stop.get()) {
                            ch.write(chunk.clear());
                        }
                    } catch (java.io.IOException e) {
                        // The reader closed first: the test is over.
                    }
                });
                TcpStream server = rt.blockOn(listener.accept());
                filled.await();
                AtomicLong consumed = new AtomicLong();
                JoinHandle<Void> greedy = rt.spawn(greedyReader(server, ByteBuffer.allocate(1), stop, consumed));
                // The reader must be reading before the other task exists, or the other task may
                // simply finish first while the reactor has not reported the data yet.
                rt.blockOn(new Async<Void>() {
                    @Override
                    public Poll<Void> poll(dev.kyoto.runtime.Context cx) {
                        if (consumed.get() > 0) {
                            return Poll.ready(null);
                        }
                        cx.waker().wake();
                        return Poll.pending();
                    }
                });
                JoinHandle<String> other = rt.spawn(Async.yieldNow().map(v -> "the other task ran"));
                assertEquals("the other task ran", rt.blockOn(other));
                assertTrue(consumed.get() >= 128, "the greedy reader yielded only after spending a whole budget: " + consumed.get());
                stop.set(true);
                rt.blockOn(greedy);
                server.close();
                feeder.join();
                listener.close();
            }
        });
    }

    /** Reads one byte per read, forever while data is there: always ready, never pending. */
    private static Async<Void> greedyReader(TcpStream s, ByteBuffer one, AtomicBoolean stop, AtomicLong consumed) {
        return cx -> {
            while (!stop.get()) {
                one.clear();
                Poll<Integer> p = s.pollRead(cx, one);
                if (p.isPending()) {
                    return Poll.pending();
                }
                consumed.incrementAndGet();
            }
            return Poll.ready(null);
        };
    }
}
