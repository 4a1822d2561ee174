package dev.kyoto.net.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.net.Pattern;
import dev.kyoto.net.TcpListener;
import dev.kyoto.net.TcpSocket;
import dev.kyoto.net.TcpStream;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.sync.Mpsc;
import dev.kyoto.runtime.sync.Notify;
import dev.kyoto.runtime.sync.Oneshot;
import dev.kyoto.runtime.sync.Semaphore;
import dev.kyoto.runtime.time.Interval;
import dev.kyoto.runtime.time.Time;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A runtime closed while thousands of tasks wait on everything a task can wait on: socket reads,
 * writes to a peer that does not read, accepts, sleeps, timeouts, intervals, channel receives and
 * sends, oneshots, semaphore acquires, notifies, joins of other waiting tasks; while other threads
 * wait in {@code blockOn} on a read, an accept, a sleep and a join; and with idle threads in the
 * blocking pool. Closing must wake every one of them: each task is cancelled (its computation's
 * {@code cancel()} runs, its handle finishes with {@link CancellationException}), each
 * {@code blockOn} returns with the shutdown error or the cancellation, no thread of the runtime is
 * left, and once the test closes its sockets the process has exactly the descriptors it had before
 * the runtime was built. Round after round, on both flavours.
 */
class ShutdownUnderLoadSoakTest {
    private static final int ROUNDS = Soak.size(3, 50);
    /** Waiting tasks of each kind per round. */
    private static final int PER_KIND = Soak.size(20, 200);
    /** Socket buffers, small so that a writer to a peer that does not read is stuck after a few kilobytes. */
    private static final int SOCKET_BUFFER = 8 * 1024;
    private static final Figures FIGURES = Figures.of(ShutdownUnderLoadSoakTest.class);

    @ParameterizedTest(name = "{0}")
    @EnumSource(Flavour.class)
    void closingWakesEveryWaiterAndLeavesNoThreadAndNoDescriptor(Flavour flavour) {
        assertTimeoutPreemptively(Duration.ofMinutes(10), () -> {
            long[] closeMillis = new long[ROUNDS];
            Map<String, Integer> kinds = Map.of();
            long fds = 0;
            long cancelled = 0;
            long shutdownErrors = 0;
            for (int round = 0; round < ROUNDS; round++) {
                Round r = new Round(flavour, round);
                fds = r.fdsBefore;
                kinds = r.run();
                closeMillis[round] = r.closeMillis;
                cancelled += r.cancelled;
                shutdownErrors += r.shutdownErrors;
            }
            Arrays.sort(closeMillis);
            FIGURES.add("%s: %d rounds; waiting in each when the runtime closed: %s, and 4 threads in blockOn"
                    + " (a read, an accept, a sleep, a join) and idle blocking-pool threads", flavour, ROUNDS, kinds);
            FIGURES.add("%s: every handle finished with CancellationException (%,d tasks: cancel() ran on %,d, %,d had failed"
                    + " with the shutdown error first), every blockOn returned with the shutdown error or the cancellation,"
                    + " 0 runtime threads left, descriptors %d before each round and after; close() took median %d ms, max %d ms",
                    flavour, cancelled + shutdownErrors, cancelled, shutdownErrors, fds, closeMillis[ROUNDS / 2],
                    closeMillis[ROUNDS - 1]);
        });
    }

    /** One round: a runtime, its waiters, the close, and the checks. */
    private static final class Round {
        final String threads;
        final long fdsBefore;
        final KyotoRuntime rt;
        final Counter parked = new Counter();
        final List<Parked<?>> watched = new ArrayList<>();
        final List<JoinHandle<?>> handles = new ArrayList<>();
        final Map<String, Integer> kinds = new LinkedHashMap<>();
        final List<AutoCloseable> owned = new ArrayList<>();
        long closeMillis;
        /** Tasks whose computation's cancel() ran; those whose poll threw the shutdown error first. */
        long cancelled;
        long shutdownErrors;

        Round(Flavour flavour, int round) {
            this.threads = "soakshut-" + flavour.ordinal() + "-" + round;
            this.fdsBefore = Descriptors.open();
            this.rt = flavour.builder(threads).maxBlockingThreads(4).build();
        }

        Map<String, Integer> run() throws Exception {
            try {
                park();
            } catch (Throwable t) {
                rt.close();
                throw t;
            }
            long start = System.nanoTime();
            rt.close();
            closeMillis = (System.nanoTime() - start) / 1_000_000;
            check();
            return kinds;
        }

        private <T> JoinHandle<T> spawn(String kind, Async<T> waiting) {
            Parked<T> p = new Parked<>(waiting, parked);
            watched.add(p);
            JoinHandle<T> h = rt.spawn(p);
            handles.add(h);
            kinds.merge(kind, 1, Integer::sum);
            return h;
        }

        private void spawnEach(String kind, Supplier<Async<?>> waiting) {
            for (int i = 0; i < PER_KIND; i++) {
                spawn(kind, waiting.get());
            }
        }

        private List<BlockedThread> blocked = List.of();

        /** Gets every waiter parked. */
        private void park() throws Exception {
            // Idle threads in the blocking pool, waiting for work.
            for (int i = 0; i < 4; i++) {
                rt.blockOn(rt.spawnBlocking(() -> null));
            }
            TcpSocket listening = TcpSocket.newV4();
            listening.setReceiveBufferSize(SOCKET_BUFFER);
            listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            TcpListener listener = rt.blockOn(cx -> Poll.ready(listening.listen(1024)));
            owned.add(listener);
            List<TcpStream> clients = new ArrayList<>();
            List<TcpStream> servers = new ArrayList<>();
            // Connections 0 to PER_KIND - 1 for reads, the next PER_KIND for writes, the last for a thread outside.
            for (int i = 0; i < 2 * PER_KIND + 1; i++) {
                JoinHandle<TcpStream> accepted = rt.spawn(listener.accept());
                TcpSocket connecting = TcpSocket.newV4();
                connecting.setSendBufferSize(SOCKET_BUFFER);
                TcpStream client = rt.blockOn(connecting.connect(listener.localAddress()));
                TcpStream server = rt.blockOn(accepted);
                clients.add(client);
                servers.add(server);
                owned.add(client);
                owned.add(server);
            }
            for (int i = 0; i < PER_KIND; i++) {
                spawn("socket reads", servers.get(i).read(ByteBuffer.allocate(64)));
                spawn("writes to a peer that does not read", Pattern.write(clients.get(PER_KIND + i), 0, Long.MAX_VALUE));
            }
            spawnEach("accepts", listener::accept);
            spawnEach("sleeps", () -> Time.sleep(Duration.ofHours(1)));
            spawnEach("timeouts", () -> Time.timeout(Duration.ofHours(1), Time.sleep(Duration.ofHours(2))));
            spawnEach("interval ticks", () -> {
                Interval every = Time.interval(Duration.ofHours(1));
                return every.tick().then(first -> every.tick());
            });
            List<Mpsc.Channel<String>> channels = new ArrayList<>();
            spawnEach("channel receives", () -> {
                Mpsc.Channel<String> c = Mpsc.bounded(1);
                channels.add(c);
                return c.receiver().recv();
            });
            Mpsc.Channel<String> full = Mpsc.bounded(1);
            full.sender().trySend("fills it");
            spawnEach("channel sends to a full channel", () -> full.sender().send("waits"));
            List<Oneshot.Channel<String>> oneshots = new ArrayList<>();
            spawnEach("oneshot receives", () -> {
                Oneshot.Channel<String> c = Oneshot.channel();
                oneshots.add(c);
                return c.receiver();
            });
            Semaphore none = new Semaphore(0);
            spawnEach("semaphore acquires", none::acquire);
            Notify notify = new Notify();
            spawnEach("notifies", notify::notified);
            List<JoinHandle<Void>> sleepers = new ArrayList<>();
            for (int i = 0; i < PER_KIND / 2; i++) {
                sleepers.add(spawn("sleepers joined", Time.sleep(Duration.ofHours(1))));
            }
            for (int i = 0; i < PER_KIND; i++) {
                spawn("joins (two per sleeper)", sleepers.get(i / 2));
            }
            // Threads outside the runtime, waiting in blockOn.
            TcpStream silent = servers.get(2 * PER_KIND);
            blocked = List.of(
                    new BlockedThread("outside-" + threads + "-read", rt, new Parked<>(silent.read(ByteBuffer.allocate(64)), parked)),
                    new BlockedThread("outside-" + threads + "-accept", rt, new Parked<>(listener.accept(), parked)),
                    new BlockedThread("outside-" + threads + "-sleep", rt, new Parked<>(Time.sleep(Duration.ofHours(1)), parked)),
                    new BlockedThread("outside-" + threads + "-join", rt, new Parked<>(sleepers.get(0), parked)));
            rt.blockOn(parked.atLeast(watched.size() + blocked.size()));
        }

        private void check() throws Exception {
            for (int i = 0; i < handles.size(); i++) {
                JoinHandle<?> h = handles.get(i);
                assertTrue(h.isFinished(), "task " + i + " is not finished after close()");
                CompletableFuture<?> f = h.toCompletableFuture();
                assertTrue(f.isCancelled() || cause(f) instanceof CancellationException,
                        "task " + i + " finished with " + (f.isCompletedExceptionally() ? cause(f) : "a value"));
                Parked<?> p = watched.get(i);
                assertTrue(p.cancelled || KyotoRuntime.isShutdownError(p.failure),
                        "task " + i + "'s computation was neither cancelled nor failed with the shutdown error: " + p.failure);
                cancelled += p.cancelled ? 1 : 0;
                shutdownErrors += p.cancelled ? 0 : 1;
            }
            for (BlockedThread b : blocked) {
                Throwable outcome = b.outcome.get(30, TimeUnit.SECONDS);
                assertTrue(KyotoRuntime.isShutdownError(outcome) || outcome instanceof CancellationException,
                        b.name + " returned from blockOn with " + outcome);
            }
            assertEquals(List.of(), ProcessStats.survivors(threads + "-", 30_000), "threads of the closed runtime");
            for (AutoCloseable c : owned) {
                c.close();
            }
            if (Descriptors.open() != fdsBefore) {
                assertEquals(fdsBefore, Descriptors.open(), "descriptors after close() and the sockets closed: "
                        + Descriptors.describe());
            }
        }

        private static Throwable cause(CompletableFuture<?> f) {
            try {
                f.join();
                return null;
            } catch (CompletionException | CancellationException e) {
                return e instanceof CompletionException ? e.getCause() : e;
            }
        }
    }

    /** A thread of the test's own, waiting in {@code blockOn}; {@code outcome} is what blockOn threw (or an error if it returned). */
    private static final class BlockedThread {
        final String name;
        final CompletableFuture<Throwable> outcome = new CompletableFuture<>();

        BlockedThread(String name, KyotoRuntime rt, Async<?> waiting) {
            this.name = name;
            Thread.ofPlatform().name(name).daemon().start(() -> {
                try {
                    rt.blockOn(waiting);
                    outcome.complete(new AssertionError("blockOn returned a value"));
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            });
        }
    }
}
