package dev.kyoto.net.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.net.AcceptBackoff;
import dev.kyoto.net.Dns;
import dev.kyoto.net.TcpListener;
import dev.kyoto.net.TcpStream;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Handle;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Thread hooks that throw, many times over, on a runtime that does real work. A blocking-pool
 * thread whose start hook throws takes no work and gives its place back, so a server whose name
 * lookups run there keeps resolving and serving (retrying a lookup the pool refused); every
 * failure is logged with the thread's name; the pool ends with all its capacity. A worker whose
 * start hook throws fails the build, and a failed build leaves no thread and no descriptor (its
 * selector) behind, however many times it happens.
 *
 * <p>module-runtime's {@code ThreadHookFailureTest} proves each of these once; this repeats them
 * by the thousand, with sockets.
 */
class ThrowingHooksSoakTest {
    private static final int CLIENTS = Soak.size(200, 5_000);
    private static final int AT_ONCE = 8;
    private static final int BUILDS = Soak.size(20, 500);
    /** One blocking thread start in this many has its hook throw. */
    private static final int FAIL_EVERY = 3;
    private static final Figures FIGURES = Figures.of(ThrowingHooksSoakTest.class);

    @Test
    void aServerWhoseBlockingThreadsHooksThrowStillResolvesAndServesEveryClient() {
        assertTimeoutPreemptively(Duration.ofMinutes(5), () -> {
            AtomicBoolean failing = new AtomicBoolean(true);
            AtomicLong blockingStarts = new AtomicLong();
            Counter startFailures = new Counter();
            Counter stops = new Counter();
            Counter rejected = new Counter();
            Counter served = new Counter();
            long start = System.nanoTime();
            try (StderrCapture err = StderrCapture.start()) {
                KyotoRuntime server = KyotoRuntime.builder().multiThread().workerThreads(2).enableAll().threadName("hooks")
                        // One thread at most (defect 4's case: a place lost is the whole pool), gone a
                        // millisecond after its last work, so that threads, and hooks, come and go.
                        .maxBlockingThreads(1).threadKeepAlive(Duration.ofMillis(1))
                        .onThreadStart(() -> {
                            if (Thread.currentThread().getName().contains("-blocking-") && failing.get()
                                    && blockingStarts.getAndIncrement() % FAIL_EVERY == 0) {
                                startFailures.increment();
                                throw new IllegalStateException("a start hook that fails on purpose");
                            }
                        })
                        .onThreadStop(() -> {
                            stops.increment();
                            throw new IllegalStateException("a stop hook that fails on purpose");
                        })
                        .build();
                try (KyotoRuntime clients = Flavour.CURRENT_THREAD.build("clients-of-hooks")) {
                    TcpListener listener = server.blockOn(TcpListener.bind("127.0.0.1:0"));
                    int port = listener.localAddress().getPort();
                    server.spawn(resolveAndReply(listener, new AcceptBackoff((f, p) -> { }), port, rejected));
                    List<JoinHandle<Void>> running = new ArrayList<>();
                    for (int i = 0; i < AT_ONCE; i++) {
                        running.add(clients.spawn(askAll(listener.localAddress(), i, served)));
                    }
                    for (JoinHandle<Void> h : running) {
                        clients.blockOn(h);
                    }
                    assertEquals(CLIENTS, served.get(), "clients that got the server's answer");
                    assertTrue(startFailures.get() > 0, "no start hook failed: the fault was not exercised");
                    assertTrue(rejected.get() > 0, "no lookup was refused: the refusal was not exercised");
                    // A failed hook refuses the work queued for its thread, no more: with AT_ONCE clients, at most AT_ONCE lookups.
                    assertTrue(rejected.get() <= startFailures.get() * AT_ONCE, rejected + " lookups refused for " + startFailures
                            + " failed hooks: only the work queued when no thread was left to run it may be refused");

                    // The pool still has its place: blocking work runs.
                    failing.set(false);
                    assertEquals(42, server.spawnBlocking(() -> 42).toCompletableFuture().get(30, TimeUnit.SECONDS));
                    listener.close();
                } finally {
                    server.close();
                }
                assertEquals(List.of(), ProcessStats.survivors("hooks-", 30_000), "threads of the closed runtime");
                assertEquals(startFailures.get(), err.count("the onThreadStart hook threw on Kyoto thread hooks-blocking-"),
                        "start hook failures logged with the thread's name");
                assertEquals(stops.get(), err.count("the onThreadStop hook threw on Kyoto thread hooks-"),
                        "stop hook failures logged with the thread's name");
            }
            FIGURES.add("blocking-pool start hook failing on every %drd thread (1 thread at most, 1 ms keep-alive): %,d clients"
                    + " served, each after a name lookup on the pool, in %.1f s; %,d blocking thread starts, %,d start hooks"
                    + " failed, %,d lookups refused and retried; %,d stop hooks failed; every failure logged with its thread's"
                    + " name; full capacity afterwards; no thread left", FAIL_EVERY, CLIENTS,
                    (System.nanoTime() - start) / 1e9, blockingStarts.get(), startFailures.get(), rejected.get(), stops.get());
        });
    }

    /** Accepts; per connection, looks "localhost" up on the blocking pool and replies with the number of addresses. */
    private static Async<Void> resolveAndReply(TcpListener listener, AcceptBackoff backoff, int port, Counter rejected) {
        return backoff.accept(listener).then(s -> {
            Handle.current().spawn(lookUp(port, rejected).then(addresses ->
                    s.writeAll(ByteBuffer.wrap(new byte[] {(byte) addresses.size()}))).map(v -> {
                        s.close();
                        return null;
                    }));
            return resolveAndReply(listener, backoff, port, rejected);
        });
    }

    /** A lookup, tried again when the pool refused it (no thread was left to run it). */
    private static Async<List<InetSocketAddress>> lookUp(int port, Counter rejected) {
        return Dns.lookup("localhost", port).recover(e -> {
            if (!(e instanceof RejectedExecutionException)) {
                throw e;
            }
            rejected.increment();
            return null;
        }).then(found -> found == null ? lookUp(port, rejected) : Async.ready(found));
    }

    private static Async<Void> askAll(InetSocketAddress server, int i, Counter served) {
        if (i >= CLIENTS) {
            return Async.ready(null);
        }
        ByteBuffer answer = ByteBuffer.allocate(1);
        return TcpStream.connect(server).then(s -> s.readExact(answer).map(v -> {
            s.close();
            assertTrue(answer.get(0) > 0, "client " + i + ": the server resolved no address");
            served.increment();
            return null;
        })).then(v -> askAll(server, i + AT_ONCE, served));
    }

    @Test
    void runtimesWhoseWorkerHookThrowsFailToBuildAndLeaveNothingBehind() {
        assertTimeoutPreemptively(Duration.ofMinutes(5), () -> {
            long fds = Descriptors.open();
            long start = System.nanoTime();
            try (StderrCapture err = StderrCapture.start()) {
                for (int i = 0; i < BUILDS; i++) {
                    String name = "hookbuild-" + i;
                    IllegalStateException e = assertThrows(IllegalStateException.class, () -> KyotoRuntime.builder()
                            .multiThread().workerThreads(2).enableAll().threadName(name)
                            .onThreadStart(() -> {
                                if (Thread.currentThread().getName().equals(name + "-1")) {
                                    throw new IllegalStateException("a worker's start hook that fails on purpose");
                                }
                            })
                            .build());
                    assertTrue(e.getMessage().contains(name + "-1"), e.getMessage());
                    assertEquals(List.of(), ProcessStats.survivors(name + "-", 30_000), "build " + i + ": threads left");
                    assertEquals(fds, Descriptors.open(), "build " + i + ": descriptors (the selector) left");
                }
                assertEquals(BUILDS, err.count("the onThreadStart hook threw on Kyoto thread hookbuild-"),
                        "failures logged with the thread's name");
            }
            FIGURES.add("%,d multi-thread runtimes with I/O whose second worker's start hook throws: every build failed naming"
                    + " the thread, in %.1f s; after each, no thread left and descriptors back to %d (the selector closed)",
                    BUILDS, (System.nanoTime() - start) / 1e9, fds);
        });
    }
}
