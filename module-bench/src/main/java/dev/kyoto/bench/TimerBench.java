package dev.kyoto.bench;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.time.Sleep;
import dev.kyoto.runtime.time.Time;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Tokio's {@code benches/time_timeout.rs} workloads on Kyoto's timer wheel, beside the JDK's
 * {@link ScheduledThreadPoolExecutor} doing the same work the way Java code does it today.
 *
 * <ul>
 *   <li>{@code insertCancel}: register a 1 s timer and cancel it. Kyoto: poll a
 *       {@link Time#sleep} once (it registers) and cancel it; the JDK: {@code schedule} a 1 s task
 *       and {@code cancel} it, with remove-on-cancel so the queue does not grow.</li>
 *   <li>{@code timeoutReady}: a 1 s timeout around a computation that is ready at once. Kyoto:
 *       {@code Time.timeout(1 s, ready)}; the JDK: schedule the timeout action, run the work, cancel
 *       the action.</li>
 * </ul>
 * Each operation is run {@value #BATCH} times per invocation, by {@code tasks} tasks at once (1
 * on a current-thread runtime, 4 on a 4-worker runtime; the JDK side uses as many platform
 * threads against one executor).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TimerBench {
    static final int BATCH = 10_000;
    private static final Duration ONE_SECOND = Duration.ofSeconds(1);
    private static final Context NOOP = new Context(() -> { });

    @State(Scope.Benchmark)
    public static class Kyoto {
        @Param({"1", "4"})
        int tasks;
        KyotoRuntime rt;

        @Setup
        public void setup() {
            rt = tasks == 1
                    ? KyotoRuntime.builder().currentThread().enableAll().build()
                    : KyotoRuntime.builder().multiThread().workerThreads(tasks).enableAll().build();
        }

        @TearDown
        public void tearDown() {
            rt.close();
        }

        void runInTasks(Async<Void> perTask) throws Exception {
            List<JoinHandle<Void>> all = new ArrayList<>(tasks);
            for (int i = 0; i < tasks; i++) {
                all.add(rt.spawn(perTask));
            }
            for (JoinHandle<Void> h : all) {
                rt.blockOn(h);
            }
        }
    }

    @State(Scope.Benchmark)
    public static class Jdk {
        @Param({"1", "4"})
        int tasks;
        ScheduledThreadPoolExecutor timer;

        @Setup
        public void setup() {
            timer = new ScheduledThreadPoolExecutor(1);
            timer.setRemoveOnCancelPolicy(true);
        }

        @TearDown
        public void tearDown() {
            timer.shutdownNow();
        }

        void runInThreads(Runnable perThread) throws InterruptedException {
            if (tasks == 1) {
                perThread.run();
                return;
            }
            Thread[] ts = new Thread[tasks];
            for (int i = 0; i < tasks; i++) {
                ts[i] = Thread.ofPlatform().start(perThread);
            }
            for (Thread t : ts) {
                t.join();
            }
        }
    }

    private static Async<Void> insertCancelBatch(int n) {
        return cx -> {
            for (int i = 0; i < n; i++) {
                Sleep s = Time.sleep(ONE_SECOND);
                s.poll(NOOP);
                s.cancel();
            }
            return Poll.ready(null);
        };
    }

    private static Async<Void> timeoutReadyBatch(int n) {
        return cx -> {
            for (int i = 0; i < n; i++) {
                Poll<Integer> p = Time.timeout(ONE_SECOND, Async.ready(i)).poll(cx);
                if (!p.isReady()) {
                    throw new IllegalStateException("a ready computation timed out");
                }
            }
            return Poll.ready(null);
        };
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void kyotoInsertCancel(Kyoto k) throws Exception {
        k.runInTasks(insertCancelBatch(BATCH / k.tasks));
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void jdkInsertCancel(Jdk j) throws InterruptedException {
        int n = BATCH / j.tasks;
        j.runInThreads(() -> {
            for (int i = 0; i < n; i++) {
                ScheduledFuture<?> f = j.timer.schedule(() -> { }, 1, TimeUnit.SECONDS);
                f.cancel(false);
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void kyotoTimeoutReady(Kyoto k) throws Exception {
        k.runInTasks(timeoutReadyBatch(BATCH / k.tasks));
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void jdkTimeoutReady(Jdk j) throws InterruptedException {
        int n = BATCH / j.tasks;
        j.runInThreads(() -> {
            for (int i = 0; i < n; i++) {
                ScheduledFuture<?> f = j.timer.schedule(() -> { }, 1, TimeUnit.SECONDS);
                Integer result = i;
                if (result == null || !f.cancel(false)) {
                    throw new IllegalStateException("a ready computation timed out");
                }
            }
        });
    }
}
