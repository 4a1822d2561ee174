package dev.kyoto.cli;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A histogram of latencies in nanoseconds with log-linear buckets, safe to record into from any
 * number of threads at once.
 *
 * <p>Precision: values below 256 are counted exactly. Above, each power-of-two range
 * {@code [2^k, 2^(k+1))} is split into 128 equal buckets, so a bucket is {@code 2^(k-7)} wide: at
 * most 1/128 of any value in it. Every reported value is the highest value of its bucket, so it
 * never understates and exceeds the recorded value by less than 0.79%: two significant decimal
 * digits, as HdrHistogram's {@code numberOfSignificantValueDigits = 2}. Values above
 * {@link #HIGHEST_TRACKABLE} (about 18 minutes) are counted as that value.
 *
 * <p>Why not HdrHistogram itself: its jar (2.2.2) has no {@code module-info.class}, only a
 * derived automatic module name, and jlink refuses automatic modules. The whole histogram is
 * 4,352 counters (34 KiB); recording is one atomic increment.
 */
final class LatencyHistogram {
    /** The largest value counted as itself: {@code 2^40 - 1} ns, about 18.3 minutes. */
    static final long HIGHEST_TRACKABLE = (1L << 40) - 1;

    /** log2 of the number of buckets each power of two is split into. */
    private static final int SUB_BUCKET_BITS = 7;
    private static final int SUB_BUCKET_MASK = (1 << SUB_BUCKET_BITS) - 1;

    private final AtomicLongArray counts = new AtomicLongArray(indexOf(HIGHEST_TRACKABLE) + 1);

    /**
     * Counts one value.
     *
     * @throws IllegalArgumentException if {@code nanos} is negative
     */
    void record(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("a latency cannot be negative, was " + nanos);
        }
        counts.incrementAndGet(indexOf(Math.min(nanos, HIGHEST_TRACKABLE)));
    }

    /** How many values were recorded. */
    long count() {
        long total = 0;
        for (int i = 0; i < counts.length(); i++) {
            total += counts.get(i);
        }
        return total;
    }

    /**
     * The value at {@code percentile}: the value of the recording at that rank (the rank rounded
     * to the nearest, at least the first), reported as its bucket's highest value. 0 when empty.
     *
     * @param percentile from 0 to 100, for example 99.9
     * @throws IllegalArgumentException if {@code percentile} is outside 0 to 100
     */
    long valueAtPercentile(double percentile) {
        if (!(percentile >= 0 && percentile <= 100)) {
            throw new IllegalArgumentException("a percentile is between 0 and 100, was " + percentile);
        }
        long total = count();
        if (total == 0) {
            return 0;
        }
        // Rounded, not ceiled: 99.9 / 100 * 1000 is 999.0000000000001 in floating point, and the
        // 99.9th of 1000 values must be the 999th.
        long rank = Math.max(1, Math.round(percentile / 100 * total));
        long seen = 0;
        for (int i = 0; i < counts.length(); i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return highestValueAt(i);
            }
        }
        // Not reached: counts only grow, so the walk meets a rank taken from an earlier total.
        return HIGHEST_TRACKABLE;
    }

    /** The highest recorded value, to the histogram's precision; 0 when empty. */
    long max() {
        for (int i = counts.length() - 1; i >= 0; i--) {
            if (counts.get(i) != 0) {
                return highestValueAt(i);
            }
        }
        return 0;
    }

    /**
     * The bucket of {@code value}: the value itself below 256; above, 128 buckets per power of two,
     * chosen by the 7 bits after the leading one.
     */
    static int indexOf(long value) {
        int top = 63 - Long.numberOfLeadingZeros(value);
        if (top <= SUB_BUCKET_BITS) {
            return (int) value;
        }
        int shift = top - SUB_BUCKET_BITS;
        return ((shift + 1) << SUB_BUCKET_BITS) + (int) ((value >>> shift) & SUB_BUCKET_MASK);
    }

    /** The highest value that falls into bucket {@code index}. */
    static long highestValueAt(int index) {
        int group = index >>> SUB_BUCKET_BITS;
        if (group <= 1) {
            return index;
        }
        int shift = group - 1;
        long lowest = (1L << (shift + SUB_BUCKET_BITS)) + ((long) (index & SUB_BUCKET_MASK) << shift);
        return lowest + (1L << shift) - 1;
    }
}
