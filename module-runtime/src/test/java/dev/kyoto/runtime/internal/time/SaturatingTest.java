package dev.kyoto.runtime.internal.time;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SaturatingTest {

    @Test
    void durationsTooLongForALongOfNanosAreHeldAtTheBounds() {
        assertEquals(Long.MAX_VALUE, Saturating.nanos(Duration.ofSeconds(Long.MAX_VALUE)));
        assertEquals(Long.MAX_VALUE, Saturating.nanos(ChronoUnit.FOREVER.getDuration()));
        assertEquals(Long.MIN_VALUE, Saturating.nanos(Duration.ofSeconds(Long.MIN_VALUE)));
        assertEquals(Long.MAX_VALUE, Saturating.nanos(Duration.ofNanos(Long.MAX_VALUE)));
        assertEquals(1_500_000_000L, Saturating.nanos(Duration.ofMillis(1_500)));
    }

    @Test
    void arithmeticMatchesExactArithmeticOrHoldsAtTheBounds() {
        SplittableRandom random = new SplittableRandom(1);
        long[] edges = {0, 1, -1, 2, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE + 1,
            1L << 32, -(1L << 32), 3_037_000_500L, -3_037_000_500L};
        for (int i = 0; i < 200_000; i++) {
            long a = i < edges.length * edges.length ? edges[i % edges.length] : random.nextLong() >> random.nextInt(64);
            long b = i < edges.length * edges.length ? edges[i / edges.length] : random.nextLong() >> random.nextInt(64);
            assertEquals(clamp(java.math.BigInteger.valueOf(a).add(java.math.BigInteger.valueOf(b))), Saturating.add(a, b), a + " + " + b);
            assertEquals(clamp(java.math.BigInteger.valueOf(a).subtract(java.math.BigInteger.valueOf(b))), Saturating.subtract(a, b), a + " - " + b);
            assertEquals(clamp(java.math.BigInteger.valueOf(a).multiply(java.math.BigInteger.valueOf(b))), Saturating.multiply(a, b), a + " * " + b);
        }
    }

    private static long clamp(java.math.BigInteger exact) {
        if (exact.bitLength() < 64) {
            return exact.longValue();
        }
        return exact.signum() > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
    }
}
