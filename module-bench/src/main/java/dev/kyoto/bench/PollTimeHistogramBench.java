package dev.kyoto.bench;

import static dev.kyoto.bench.Workloads.NUM_WORKERS;
import static dev.kyoto.bench.Workloads.NUM_YIELD;
import static dev.kyoto.bench.Workloads.YIELD_TASKS;

import dev.kyoto.runtime.KyotoRuntime;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What {@code Builder.enablePollTimeHistogram()} costs: Tokio's yield_many (200 tasks that yield
 * 1,000 times each, 200,200 polls of almost nothing) on the multi-thread runtime with the
 * histogram off and on, in one run. The difference of the two scores divided by the polls is the
 * price of timing one poll, at its most visible: polls that do nothing else.
 *
 * <p>{@code scripts/bench.sh PollTimeHistogramBench} runs it; docs/observability.md has the result.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 2, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
public class PollTimeHistogramBench {

    @State(Scope.Benchmark)
    public static class Runtime {
        @Param({"false", "true"})
        boolean histogram;
        KyotoRuntime rt;

        @Setup(Level.Trial)
        public void setUp() {
            KyotoRuntime.Builder builder = KyotoRuntime.builder().multiThread().workerThreads(NUM_WORKERS).enableAll();
            rt = (histogram ? builder.enablePollTimeHistogram() : builder).build();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            rt.close();
        }
    }

    @Benchmark
    public void yieldMany(Runtime s) throws Exception {
        CountDownLatch done = new CountDownLatch(YIELD_TASKS);
        for (int i = 0; i < YIELD_TASKS; i++) {
            s.rt.spawn(KyotoRuntimeBench.yieldTimes(NUM_YIELD).map(v -> {
                done.countDown();
                return null;
            }));
        }
        Workloads.await(done, "yieldMany");
    }
}
