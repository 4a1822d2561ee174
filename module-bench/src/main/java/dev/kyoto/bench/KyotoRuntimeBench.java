package dev.kyoto.bench;

import static dev.kyoto.bench.Workloads.BUSY2_NUM_SPAWN;
import static dev.kyoto.bench.Workloads.CHAIN_LENGTH;
import static dev.kyoto.bench.Workloads.NUM_PINGS;
import static dev.kyoto.bench.Workloads.NUM_SPAWN;
import static dev.kyoto.bench.Workloads.NUM_WORKERS;
import static dev.kyoto.bench.Workloads.NUM_YIELD;
import static dev.kyoto.bench.Workloads.YIELD_TASKS;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Handle;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.sync.Oneshot;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Tokio's {@code benches/rt_multi_threaded.rs} on Kyoto's multi-thread scheduler, one
 * {@code @Benchmark} per workload, written the way the Tokio bench is: same task structure, same
 * counts, the benchmark thread blocking on a signal where Tokio blocks on a std
 * {@code sync_channel} (here a {@link CountDownLatch}). {@link ForkJoinPoolBench} has the same
 * workloads, by the same method names, on {@link java.util.concurrent.ForkJoinPool}.
 *
 * <p>One score is the time of one whole workload (one criterion iteration in Tokio).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 3)
public class KyotoRuntimeBench {
    private static final Poll<Void> READY = Poll.ready(null);
    /** Tokio's {@code async {}}: stateless, so one instance serves every spawn. */
    private static final Async<Void> EMPTY = cx -> READY;

    /** A runtime with nothing else running on it. */
    @State(Scope.Benchmark)
    public static class Idle {
        KyotoRuntime rt;
        final AtomicInteger rem = new AtomicInteger();
        final List<JoinHandle<Void>> handles = new ArrayList<>(NUM_SPAWN);

        @Setup(Level.Trial)
        public void setUp() {
            rt = Workloads.kyoto();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            rt.close();
        }
    }

    /** spawn_many_remote_busy1's runtime: 2 × 4 tasks that loop { yield; stall 10 µs } throughout. */
    @State(Scope.Benchmark)
    public static class BusyYielding {
        KyotoRuntime rt;
        final AtomicBoolean flag = new AtomicBoolean(true);
        final List<JoinHandle<Void>> handles = new ArrayList<>(NUM_SPAWN);

        @Setup(Level.Trial)
        public void setUp() {
            rt = Workloads.kyoto();
            for (int i = 0; i < 2 * NUM_WORKERS; i++) {
                rt.spawn(yieldAndStallWhile(flag));
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            flag.set(false);
            rt.close();
        }
    }

    /** spawn_many_remote_busy2's runtime: 4 chains of tasks that each stall 10 µs, then spawn the next. */
    @State(Scope.Benchmark)
    public static class BusySpawning {
        KyotoRuntime rt;
        final AtomicBoolean flag = new AtomicBoolean(true);
        final List<JoinHandle<Void>> handles = new ArrayList<>(BUSY2_NUM_SPAWN);

        @Setup(Level.Trial)
        public void setUp() {
            rt = Workloads.kyoto();
            for (int i = 0; i < NUM_WORKERS; i++) {
                rt.spawn(cx -> {
                    Handle.current().spawn(stallThenSpawnNextWhile(flag));
                    return READY;
                });
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            flag.set(false);
            rt.close();
        }
    }

    /**
     * spawn_many_local: inside {@code blockOn}, spawn 10 000 tasks that each decrement a counter;
     * the last one signals, and the {@code blockOn} thread waits for the signal. As in Tokio, the
     * blockOn thread is not a worker, so these spawns go through the inject queue.
     */
    @Benchmark
    public void spawnManyLocal(Idle s) throws Exception {
        AtomicInteger rem = s.rem;
        rem.set(NUM_SPAWN);
        CountDownLatch done = new CountDownLatch(1);
        Async<Void> task = cx -> {
            if (rem.decrementAndGet() == 0) {
                done.countDown();
            }
            return READY;
        };
        s.rt.blockOn(cx -> {
            Handle h = Handle.current();
            for (int i = 0; i < NUM_SPAWN; i++) {
                h.spawn(task);
            }
            Workloads.await(done, "spawnManyLocal");
            return READY;
        });
    }

    /**
     * Not one of Tokio's seven: spawn_many_local with the 10 000 spawns made by a task running on
     * a worker, so that they go to that worker's local queue (what "local" suggests, and what
     * the ForkJoinPool side's {@code fork()} does).
     */
    @Benchmark
    public void spawnManyLocalOnWorker(Idle s) throws Exception {
        AtomicInteger rem = s.rem;
        rem.set(NUM_SPAWN);
        CountDownLatch done = new CountDownLatch(1);
        Async<Void> task = cx -> {
            if (rem.decrementAndGet() == 0) {
                done.countDown();
            }
            return READY;
        };
        s.rt.spawn(cx -> {
            Handle h = Handle.current();
            for (int i = 0; i < NUM_SPAWN; i++) {
                h.spawn(task);
            }
            return READY;
        });
        Workloads.await(done, "spawnManyLocalOnWorker");
    }

    /** spawn_many_remote_idle: 10 000 spawns from the benchmark thread, then blockOn awaits each handle in order. */
    @Benchmark
    public void spawnManyRemoteIdle(Idle s) throws Exception {
        spawnAndAwaitAll(s.rt, s.handles, NUM_SPAWN);
    }

    /** spawn_many_remote_busy1: as spawn_many_remote_idle while 8 tasks keep yielding and stalling. */
    @Benchmark
    public void spawnManyRemoteBusy1(BusyYielding s) throws Exception {
        spawnAndAwaitAll(s.rt, s.handles, NUM_SPAWN);
    }

    /** spawn_many_remote_busy2: 1 000 remote spawns, awaited, while 4 chains keep stalling and spawning. */
    @Benchmark
    public void spawnManyRemoteBusy2(BusySpawning s) throws Exception {
        spawnAndAwaitAll(s.rt, s.handles, BUSY2_NUM_SPAWN);
    }

    /**
     * ping_pong: blockOn spawns one task, which spawns 1 000 tasks; each makes two one-shots,
     * spawns a responder (await the first, send the second), sends the first, awaits the second
     * and decrements a counter. blockOn awaits the spawning task, then blocks until the last
     * ping-pong signals.
     */
    @Benchmark
    public void pingPong(Idle s) throws Exception {
        AtomicInteger rem = s.rem;
        rem.set(NUM_PINGS);
        CountDownLatch done = new CountDownLatch(1);
        Async<Void> spawnPings = cx -> {
            Handle h = Handle.current();
            for (int i = 0; i < NUM_PINGS; i++) {
                h.spawn(new PingPong(rem, done));
            }
            return READY;
        };
        s.rt.blockOn(Async.ready(null)
                .then(v -> Handle.current().spawn(spawnPings))
                .map(v -> {
                    Workloads.await(done, "pingPong");
                    return null;
                }));
    }

    /** yield_many: 200 tasks spawned from the benchmark thread, each yielding 1 000 times, then signalling. */
    @Benchmark
    public void yieldMany(Idle s) throws Exception {
        CountDownLatch done = new CountDownLatch(YIELD_TASKS);
        for (int i = 0; i < YIELD_TASKS; i++) {
            s.rt.spawn(yieldTimes(NUM_YIELD).map(v -> {
                done.countDown();
                return null;
            }));
        }
        Workloads.await(done, "yieldMany");
    }

    /** chained_spawn: from blockOn, spawn a task that spawns the next, 1 000 deep; the last signals. */
    @Benchmark
    public void chainedSpawn(Idle s) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        s.rt.blockOn(cx -> {
            Handle.current().spawn(chain(CHAIN_LENGTH, done));
            Workloads.await(done, "chainedSpawn");
            return READY;
        });
    }

    private static void spawnAndAwaitAll(KyotoRuntime rt, List<JoinHandle<Void>> handles, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            handles.add(rt.spawn(EMPTY));
        }
        try {
            rt.blockOn(new AwaitInOrder(handles));
        } finally {
            handles.clear();
        }
    }

    /** Tokio's {@code for handle in handles.drain(..) { handle.await.unwrap(); }}. */
    private static final class AwaitInOrder implements Async<Void> {
        private final List<JoinHandle<Void>> handles;
        private int next;

        AwaitInOrder(List<JoinHandle<Void>> handles) {
            this.handles = handles;
        }

        @Override
        public Poll<Void> poll(Context cx) throws Exception {
            while (next < handles.size()) {
                if (handles.get(next).poll(cx).isPending()) {
                    return Poll.pending();
                }
                next++;
            }
            return READY;
        }
    }

    /** One ping-pong on two {@link Oneshot} channels: the body of the task ping_pong spawns 1 000 times. */
    private static final class PingPong implements Async<Void> {
        private final AtomicInteger rem;
        private final CountDownLatch done;
        private Oneshot.Receiver<Void> reply;

        PingPong(AtomicInteger rem, CountDownLatch done) {
            this.rem = rem;
            this.done = done;
        }

        @Override
        public Poll<Void> poll(Context cx) throws Exception {
            if (reply == null) {
                Oneshot.Channel<Void> ping = Oneshot.channel();
                Oneshot.Channel<Void> pong = Oneshot.channel();
                reply = pong.receiver();
                Handle.current().spawn(ping.receiver().map(v -> {
                    pong.sender().send(null);
                    return null;
                }));
                ping.sender().send(null);
            }
            if (reply.poll(cx).isPending()) {
                return Poll.pending();
            }
            if (rem.decrementAndGet() == 0) {
                done.countDown();
            }
            return READY;
        }
    }

    /** {@code for _ in 0..n { yield_now().await }} as a tail-position {@code then} loop. */
    static Async<Void> yieldTimes(int n) {
        return n == 0 ? Async.ready(null) : Async.yieldNow().then(v -> yieldTimes(n - 1));
    }

    /** busy1's background task: {@code while flag { yield_now().await; stall(); }}. */
    static Async<Void> yieldAndStallWhile(AtomicBoolean flag) {
        return flag.get() ? Async.yieldNow().then(v -> {
            Workloads.stall();
            return yieldAndStallWhile(flag);
        }) : Async.ready(null);
    }

    /** busy2's background chain link: if the flag is set, stall, then spawn the next link. */
    static Async<Void> stallThenSpawnNextWhile(AtomicBoolean flag) {
        return cx -> {
            if (flag.get()) {
                Workloads.stall();
                Handle.current().spawn(stallThenSpawnNextWhile(flag));
            }
            return READY;
        };
    }

    /** chained_spawn's {@code iter(done, n)} run as a task: signal at depth 0, else spawn the next. */
    static Async<Void> chain(int n, CountDownLatch done) {
        return cx -> {
            if (n == 0) {
                done.countDown();
            } else {
                Handle.current().spawn(chain(n - 1, done));
            }
            return READY;
        };
    }
}
