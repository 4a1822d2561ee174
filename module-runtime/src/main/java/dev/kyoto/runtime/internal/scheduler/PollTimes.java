package dev.kyoto.runtime.internal.scheduler;

import dev.kyoto.runtime.internal.context.RuntimeContext;
import dev.kyoto.runtime.internal.jfr.Jfr;
import dev.kyoto.runtime.internal.task.Task;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One worker's histogram of how long its task polls took, kept only when the runtime was built
 * with {@code enablePollTimeHistogram()}: timing a poll costs two reads of
 * {@link System#nanoTime()}, which a poll of a few hundred nanoseconds notices.
 *
 * <p>The buckets double in width: bucket 0 counts polls under 1 µs, bucket {@code k} (1 to
 * {@link #BUCKETS} - 2) those from 2<sup>k-1</sup> µs up to 2<sup>k</sup> µs, and the last bucket
 * everything from 2<sup>{@code BUCKETS}-2</sup> µs (262 ms) up. Powers of two of a microsecond
 * span what a poll takes, from well under a microsecond to a blocked worker, in a few buckets,
 * and finding the bucket is a leading-zero count.
 *
 * <p>Single writer, as {@link WorkerMetrics}: only the thread running as the worker counts, with
 * opaque stores of values it computed from its own previous writes; any thread reads with opaque
 * loads. The counts sit between two cache lines of padding, so that counting does not take a line
 * from the next worker's thread.
 */
public final class PollTimes {
    /** How many buckets: 1 below a microsecond, then up to 2^18 µs, then the rest. */
    public static final int BUCKETS = 20;
    private static final int PAD = 8;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] slots = new long[PAD + BUCKETS + PAD];

    PollTimes() {
    }

    /** The bucket a poll of {@code nanos} falls in. */
    static int bucket(long nanos) {
        long micros = nanos / 1_000;
        return micros <= 0 ? 0 : Math.min(BUCKETS - 1, 64 - Long.numberOfLeadingZeros(micros));
    }

    /** The shortest poll, in nanoseconds, that counts in {@code bucket}. */
    public static long bucketStartNanos(int bucket) {
        return bucket == 0 ? 0 : (1L << (bucket - 1)) * 1_000;
    }

    /**
     * Polls {@code task} on worker {@code worker}, timing the poll into {@code times} unless it is
     * null (the histogram is off).
     */
    static void run(PollTimes times, Task<?> task, RuntimeContext cx, int worker) {
        if (times == null) {
            Jfr.run(task, cx, worker);
            return;
        }
        long start = System.nanoTime();
        try {
            Jfr.run(task, cx, worker);
        } finally {
            times.record(System.nanoTime() - start);
        }
    }

    /** Owner: a poll took {@code nanos}. */
    void record(long nanos) {
        int slot = PAD + bucket(nanos);
        SLOT.setOpaque(slots, slot, slots[slot] + 1);
    }

    /** Any thread: the polls counted in {@code bucket} so far. */
    long count(int bucket) {
        return (long) SLOT.getOpaque(slots, PAD + bucket);
    }
}
