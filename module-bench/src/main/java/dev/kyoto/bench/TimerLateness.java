package dev.kyoto.bench;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.time.Time;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How late Kyoto's timers fire on a busy runtime: 10,000 sleeps of random length up to 100 ms on
 * a 4-worker runtime whose workers are kept busy by tasks that poll for 10 µs and yield, forever.
 * Lateness is the time from a sleep's deadline (first poll + its duration) to the moment its task
 * runs again. Prints p50, p90, p99, p99.9 and the maximum, in milliseconds.
 *
 * <p>Run: {@code java -cp module-bench/target/benchmarks.jar dev.kyoto.bench.TimerLateness}.
 */
public final class TimerLateness {
    private static final int SLEEPS = 10_000;
    private static final int MAX_SLEEP_MS = 100;
    private static final int WORKERS = 4;

    private TimerLateness() {
    }

    public static void main(String[] args) throws Exception {
        long[] lateNanos = new long[SLEEPS];
        AtomicBoolean busy = new AtomicBoolean(true);
        try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(WORKERS).enableAll().build()) {
            for (int i = 0; i < WORKERS; i++) {
                rt.spawn(busyLoop(busy));
            }
            SplittableRandom random = new SplittableRandom(42);
            List<JoinHandle<Void>> sleeps = new ArrayList<>(SLEEPS);
            for (int i = 0; i < SLEEPS; i++) {
                int index = i;
                long ms = random.nextInt(MAX_SLEEP_MS + 1);
                sleeps.add(rt.spawn(Async.ready(null).then(v -> {
                    long deadline = System.nanoTime() + ms * 1_000_000;
                    return Time.sleep(Duration.ofMillis(ms)).map(x -> {
                        lateNanos[index] = System.nanoTime() - deadline;
                        return null;
                    });
                })));
            }
            for (JoinHandle<Void> h : sleeps) {
                rt.blockOn(h);
            }
            busy.set(false);
        }
        Arrays.sort(lateNanos);
        System.out.printf("timer lateness, %d sleeps of 0-%d ms on %d busy workers (ms): p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%n",
                SLEEPS, MAX_SLEEP_MS, WORKERS, ms(lateNanos, 0.50), ms(lateNanos, 0.90), ms(lateNanos, 0.99),
                ms(lateNanos, 0.999), lateNanos[SLEEPS - 1] / 1e6);
    }

    private static double ms(long[] sorted, double q) {
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] / 1e6;
    }

    /** Polls for 10 µs, yields, and again, while {@code busy} holds. */
    private static Async<Void> busyLoop(AtomicBoolean busy) {
        Async<Void> stall = cx -> {
            Workloads.stall();
            return Poll.ready(null);
        };
        return stall.then(v -> Async.yieldNow()).then(v -> busy.get() ? busyLoop(busy) : Async.ready(null));
    }
}
