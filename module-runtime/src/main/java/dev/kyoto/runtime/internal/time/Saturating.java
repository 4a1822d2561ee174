package dev.kyoto.runtime.internal.time;

import java.time.Duration;

/**
 * Nanosecond arithmetic for deadlines that sticks at {@link Long#MAX_VALUE} (or
 * {@link Long#MIN_VALUE}) instead of wrapping round or throwing. A deadline too far away to
 * represent is "practically forever" (about 292 years of nanoseconds): it must stay in the
 * future, never wrap into the past and fire at once.
 */
public final class Saturating {
    private Saturating() {
    }

    /** {@code d} in nanoseconds; a duration too long for a {@code long} is as long as one can be. */
    public static long nanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /** {@code a + b}, held at the bounds. */
    public static long add(long a, long b) {
        long r = a + b;
        // Overflow only when both operands have the sign the result lacks.
        if (((a ^ r) & (b ^ r)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return r;
    }

    /** {@code a - b}, held at the bounds. */
    public static long subtract(long a, long b) {
        long r = a - b;
        // Overflow only when the operands' signs differ and the result's sign is not a's.
        if (((a ^ b) & (a ^ r)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return r;
    }

    /** {@code a * b}, held at the bounds. */
    public static long multiply(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        if ((hi == 0 && lo >= 0) || (hi == -1 && lo < 0)) {
            return lo;
        }
        return (a < 0) == (b < 0) ? Long.MAX_VALUE : Long.MIN_VALUE;
    }
}
