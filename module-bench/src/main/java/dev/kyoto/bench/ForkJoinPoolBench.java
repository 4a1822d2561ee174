package dev.kyoto.bench;

import static dev.kyoto.bench.Workloads.BUSY2_NUM_SPAWN;
import static dev.kyoto.bench.Workloads.CHAIN_LENGTH;
import static dev.kyoto.bench.Workloads.NUM_PINGS;
import static dev.kyoto.bench.Workloads.NUM_SPAWN;
import static dev.kyoto.bench.Workloads.NUM_WORKERS;
import static dev.kyoto.bench.Workloads.NUM_YIELD;
import static dev.kyoto.bench.Workloads.YIELD_TASKS;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * The workloads of {@link KyotoRuntimeBench}, by the same method names, written the way the JDK
 * would have them on a {@link ForkJoinPool} of parallelism 4 in async (FIFO) mode.
 *
 * <p>The translation, one rule each:
 * <ul>
 *   <li>Spawning from outside the pool (Tokio's {@code rt.spawn} from the bench thread or from
 *       {@code block_on}) is {@link ForkJoinPool#execute} / {@link ForkJoinPool#submit}: the
 *       pool's shared submission queues.</li>
 *   <li>Spawning from inside a task is {@link ForkJoinTask#fork()}: a push onto the running
 *       worker's own queue.</li>
 *   <li>A {@link dev.kyoto.runtime.JoinHandle} is the {@link ForkJoinTask} that {@code submit}
 *       returns, awaited with {@link ForkJoinTask#join()}.</li>
 *   <li>{@code yield_now()} is the task re-submitting itself as its own continuation,
 *       {@code pool.execute(this)} from the worker: in async mode that puts it at the back of the
 *       worker's FIFO queue, behind the work already there, which is what a yield asks for
 *       (Kyoto and Tokio put a yielded task at the back of the local queue too, after the next
 *       driver poll). A ForkJoinPool has no driver, so it has no such delay.</li>
 *   <li>A one-shot channel is a {@link CompletableFuture}; "a task awaits it" is a dependent
 *       registered with {@code thenRunAsync(.., pool)}, which the pool runs as a task once the
 *       future is completed.</li>
 *   <li>Tokio's std {@code sync_channel} the bench thread blocks on is a {@link CountDownLatch},
 *       as on the Kyoto side.</li>
 * </ul>
 *
 * <p><b>The busy workloads do not finish on a ForkJoinPool.</b> A worker runs its own queue
 * until it is empty ({@code WorkQueue.topLevelExec}) and keeps draining the queue it last took
 * from, before it looks at any other queue. A task that re-queues itself (busy1's yield loop) or
 * forks its successor (busy2's chains) keeps its worker's queue non-empty for ever, so once every
 * worker holds one, nothing submitted from outside is ever taken: busy1 and busy2 fail after
 * {@value Workloads#HANG_SECONDS} s with a "starved" error. Re-queueing through
 * {@link ForkJoinPool#externalSubmit} instead does not help (the worker then drains its
 * submission queue just the same), so the translation keeps the plain, idiomatic form. Kyoto,
 * like Tokio, checks the shared queue every {@code globalQueueInterval} (61) ticks, which is
 * what these two workloads measure.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 3)
public class ForkJoinPoolBench {
    private static final Runnable EMPTY = () -> { };

    /** A pool with nothing else running on it. */
    @State(Scope.Benchmark)
    public static class Idle {
        ForkJoinPool pool;
        final AtomicInteger rem = new AtomicInteger();
        final List<ForkJoinTask<?>> handles = new ArrayList<>(NUM_SPAWN);

        @Setup(Level.Trial)
        public void setUp() {
            pool = Workloads.forkJoinPool();
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            Workloads.close(pool);
        }
    }

    /** busy1's pool: 2 × 4 tasks that loop { yield; stall 10 µs } throughout. */
    @State(Scope.Benchmark)
    public static class BusyYielding {
        ForkJoinPool pool;
        final AtomicBoolean flag = new AtomicBoolean(true);
        final List<ForkJoinTask<?>> handles = new ArrayList<>(NUM_SPAWN);

        @Setup(Level.Trial)
        public void setUp() {
            pool = Workloads.forkJoinPool();
            for (int i = 0; i < 2 * NUM_WORKERS; i++) {
                // The first submission is the loop's first yield.
                pool.execute(new YieldAndStall(pool, flag));
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            flag.set(false);
            Workloads.close(pool);
        }
    }

    /** busy2's pool: 4 chains of tasks that each stall 10 µs, then fork the next. */
    @State(Scope.Benchmark)
    public static class BusySpawning {
        ForkJoinPool pool;
        final AtomicBoolean flag = new AtomicBoolean(true);
        final List<ForkJoinTask<?>> handles = new ArrayList<>(BUSY2_NUM_SPAWN);

        @Setup(Level.Trial)
        public void setUp() {
            pool = Workloads.forkJoinPool();
            for (int i = 0; i < NUM_WORKERS; i++) {
                pool.execute(ForkJoinTask.adapt(() -> new StallThenForkNext(flag).fork()));
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            flag.set(false);
            Workloads.close(pool);
        }
    }

    /** spawn_many_local: the bench thread (Tokio's block_on thread) submits 10 000 counting tasks and waits. */
    @Benchmark
    public void spawnManyLocal(Idle s) throws Exception {
        AtomicInteger rem = s.rem;
        rem.set(NUM_SPAWN);
        CountDownLatch done = new CountDownLatch(1);
        Runnable task = () -> {
            if (rem.decrementAndGet() == 0) {
                done.countDown();
            }
        };
        for (int i = 0; i < NUM_SPAWN; i++) {
            s.pool.execute(task);
        }
        Workloads.await(done, "spawnManyLocal");
    }

    /** Not one of Tokio's seven: a task on a worker forks the 10 000 counting tasks. */
    @Benchmark
    public void spawnManyLocalOnWorker(Idle s) throws Exception {
        AtomicInteger rem = s.rem;
        rem.set(NUM_SPAWN);
        CountDownLatch done = new CountDownLatch(1);
        Runnable task = () -> {
            if (rem.decrementAndGet() == 0) {
                done.countDown();
            }
        };
        s.pool.execute(ForkJoinTask.adapt(() -> {
            for (int i = 0; i < NUM_SPAWN; i++) {
                ForkJoinTask.adapt(task).fork();
            }
        }));
        Workloads.await(done, "spawnManyLocalOnWorker");
    }

    /** spawn_many_remote_idle: 10 000 submits from the bench thread, then join each in order. */
    @Benchmark
    public void spawnManyRemoteIdle(Idle s) throws Exception {
        submitAndJoinAll(s.pool, s.handles, NUM_SPAWN);
    }

    /** spawn_many_remote_busy1: as spawn_many_remote_idle while 8 tasks keep yielding and stalling. */
    @Benchmark
    public void spawnManyRemoteBusy1(BusyYielding s) throws Exception {
        submitAndJoinAll(s.pool, s.handles, NUM_SPAWN);
    }

    /** spawn_many_remote_busy2: 1 000 submits, joined, while 4 chains keep stalling and forking. */
    @Benchmark
    public void spawnManyRemoteBusy2(BusySpawning s) throws Exception {
        submitAndJoinAll(s.pool, s.handles, BUSY2_NUM_SPAWN);
    }

    /**
     * ping_pong: submit a task that forks 1 000 ping-pong tasks and join it, then wait for the
     * last ping-pong's signal. A ping-pong: two {@link CompletableFuture}s; the responder runs
     * as a pool task once the first completes and completes the second; the rest of the
     * ping-pong runs as a pool task once the second completes.
     */
    @Benchmark
    public void pingPong(Idle s) throws Exception {
        AtomicInteger rem = s.rem;
        rem.set(NUM_PINGS);
        CountDownLatch done = new CountDownLatch(1);
        ForkJoinPool pool = s.pool;
        pool.submit(ForkJoinTask.adapt(() -> {
            for (int i = 0; i < NUM_PINGS; i++) {
                new PingPong(pool, rem, done).fork();
            }
        })).get(Workloads.HANG_SECONDS, TimeUnit.SECONDS);
        Workloads.await(done, "pingPong");
    }

    /** yield_many: 200 tasks submitted from the bench thread, each yielding 1 000 times, then signalling. */
    @Benchmark
    public void yieldMany(Idle s) throws Exception {
        CountDownLatch done = new CountDownLatch(YIELD_TASKS);
        for (int i = 0; i < YIELD_TASKS; i++) {
            s.pool.execute(new YieldMany(s.pool, done));
        }
        Workloads.await(done, "yieldMany");
    }

    /** chained_spawn: submit a task that forks the next, 1 000 deep; the last signals. */
    @Benchmark
    public void chainedSpawn(Idle s) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        s.pool.execute(new Chain(CHAIN_LENGTH, done));
        Workloads.await(done, "chainedSpawn");
    }

    /**
     * Submits {@code n} empty tasks and joins each in order. The join is the timed one,
     * {@code get(timeout)}, so that a run whose submissions are never taken (see the class
     * comment) fails with a message instead of hanging JMH.
     */
    private static void submitAndJoinAll(ForkJoinPool pool, List<ForkJoinTask<?>> handles, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            handles.add(pool.submit(EMPTY));
        }
        int joined = 0;
        try {
            for (ForkJoinTask<?> h : handles) {
                h.get(Workloads.HANG_SECONDS, TimeUnit.SECONDS);
                joined++;
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("starved: after " + Workloads.HANG_SECONDS + " s only " + joined + " of " + n
                    + " submitted tasks had run, with " + pool.getQueuedSubmissionCount() + " submissions still queued; " + pool, e);
        } finally {
            handles.clear();
        }
    }

    /** One ping-pong, forked 1 000 times by ping_pong's spawning task. */
    private static final class PingPong extends RecursiveAction {
        private static final long serialVersionUID = 1L;
        private final transient ForkJoinPool pool;
        private final AtomicInteger rem;
        private final transient CountDownLatch done;

        PingPong(ForkJoinPool pool, AtomicInteger rem, CountDownLatch done) {
            this.pool = pool;
            this.rem = rem;
            this.done = done;
        }

        @Override
        protected void compute() {
            CompletableFuture<Void> ping = new CompletableFuture<>();
            CompletableFuture<Void> pong = new CompletableFuture<>();
            ping.thenRunAsync(() -> pong.complete(null), pool);
            pong.thenRunAsync(() -> {
                if (rem.decrementAndGet() == 0) {
                    done.countDown();
                }
            }, pool);
            ping.complete(null);
        }
    }

    /** yield_many's task: 1 000 times re-submit itself (yield), then signal. */
    private static final class YieldMany implements Runnable {
        private final ForkJoinPool pool;
        private final CountDownLatch done;
        private int yields;

        YieldMany(ForkJoinPool pool, CountDownLatch done) {
            this.pool = pool;
            this.done = done;
        }

        @Override
        public void run() {
            if (yields < NUM_YIELD) {
                yields++;
                pool.execute(this);
            } else {
                done.countDown();
            }
        }
    }

    /** busy1's background task: {@code while flag { yield; stall(); }}, each run after a yield. */
    private static final class YieldAndStall implements Runnable {
        private final ForkJoinPool pool;
        private final AtomicBoolean flag;

        YieldAndStall(ForkJoinPool pool, AtomicBoolean flag) {
            this.pool = pool;
            this.flag = flag;
        }

        @Override
        public void run() {
            Workloads.stall();
            if (flag.get()) {
                pool.execute(this);
            }
        }
    }

    /** busy2's background chain link: if the flag is set, stall, then fork the next link. */
    private static final class StallThenForkNext extends RecursiveAction {
        private static final long serialVersionUID = 1L;
        private final AtomicBoolean flag;

        StallThenForkNext(AtomicBoolean flag) {
            this.flag = flag;
        }

        @Override
        protected void compute() {
            if (flag.get()) {
                Workloads.stall();
                new StallThenForkNext(flag).fork();
            }
        }
    }

    /** chained_spawn's {@code iter(done, n)} as a task: signal at depth 0, else fork the next. */
    private static final class Chain extends RecursiveAction {
        private static final long serialVersionUID = 1L;
        private final int n;
        private final transient CountDownLatch done;

        Chain(int n, CountDownLatch done) {
            this.n = n;
            this.done = done;
        }

        @Override
        protected void compute() {
            if (n == 0) {
                done.countDown();
            } else {
                new Chain(n - 1, done).fork();
            }
        }
    }
}
