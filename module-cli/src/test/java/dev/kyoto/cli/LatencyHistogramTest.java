package dev.kyoto.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void valuesBelow256AreCountedExactly() {
        for (long v = 0; v < 256; v++) {
            assertEquals(v, LatencyHistogram.highestValueAt(LatencyHistogram.indexOf(v)));
        }
    }

    @Test
    void everyValueIsReportedWithinTwoSignificantDigitsAndNeverBelowItself() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 1_000_000; i++) {
            // Spread over every power of two up to the trackable range.
            long v = random.nextLong(1L << random.nextInt(1, 41));
            long reported = LatencyHistogram.highestValueAt(LatencyHistogram.indexOf(v));
            assertTrue(reported >= v, () -> v + " reported as " + reported);
            assertTrue(reported - v < Math.max(1, v / 128.0), () -> v + " reported as " + reported);
        }
    }

    @Test
    void bucketsAreContiguousAndOrdered() {
        long previousHighest = -1;
        for (int i = 0; i <= LatencyHistogram.indexOf(LatencyHistogram.HIGHEST_TRACKABLE); i++) {
            long highest = LatencyHistogram.highestValueAt(i);
            assertEquals(i, LatencyHistogram.indexOf(previousHighest + 1), "the bucket after " + previousHighest);
            assertEquals(i, LatencyHistogram.indexOf(highest));
            previousHighest = highest;
        }
        assertEquals(LatencyHistogram.HIGHEST_TRACKABLE, previousHighest);
    }

    @Test
    void percentilesOfAUniformSpreadAreWhereTheyShouldBe() {
        LatencyHistogram h = new LatencyHistogram();
        for (long v = 1; v <= 100_000; v++) {
            h.record(v * 1_000);
        }
        assertEquals(100_000, h.count());
        assertWithinPrecision(50_000_000, h.valueAtPercentile(50));
        assertWithinPrecision(90_000_000, h.valueAtPercentile(90));
        assertWithinPrecision(99_000_000, h.valueAtPercentile(99));
        assertWithinPrecision(99_900_000, h.valueAtPercentile(99.9));
        assertWithinPrecision(100_000_000, h.valueAtPercentile(100));
        assertWithinPrecision(100_000_000, h.max());
        assertWithinPrecision(1_000, h.valueAtPercentile(0));
    }

    @Test
    void aRareSlowValueShowsOnlyInTheHighPercentiles() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < 999; i++) {
            h.record(20_000);
        }
        h.record(5_000_000);
        assertWithinPrecision(20_000, h.valueAtPercentile(99.9));
        assertWithinPrecision(5_000_000, h.valueAtPercentile(99.95));
        assertWithinPrecision(5_000_000, h.max());
    }

    @Test
    void anEmptyHistogramReportsZero() {
        LatencyHistogram h = new LatencyHistogram();
        assertEquals(0, h.count());
        assertEquals(0, h.valueAtPercentile(99));
        assertEquals(0, h.max());
    }

    @Test
    void valuesBeyondTheRangeCountAsTheHighestTrackable() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(Long.MAX_VALUE);
        assertEquals(1, h.count());
        assertEquals(LatencyHistogram.HIGHEST_TRACKABLE, h.max());
    }

    @Test
    void badInputIsRefused() {
        LatencyHistogram h = new LatencyHistogram();
        assertThrows(IllegalArgumentException.class, () -> h.record(-1));
        assertThrows(IllegalArgumentException.class, () -> h.valueAtPercentile(100.1));
        assertThrows(IllegalArgumentException.class, () -> h.valueAtPercentile(Double.NaN));
    }

    @Test
    void concurrentRecordingLosesNothing() {
        LatencyHistogram h = new LatencyHistogram();
        int threads = 4;
        int each = 250_000;
        CountDownLatch go = new CountDownLatch(1);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            Thread[] recorders = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                recorders[t] = Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    // The same few buckets from every thread: the contended case.
                    for (int i = 0; i < each; i++) {
                        h.record(1_000 + i % 3);
                    }
                });
            }
            go.countDown();
            for (Thread r : recorders) {
                r.join();
            }
        });
        assertEquals((long) threads * each, h.count());
    }

    private static void assertWithinPrecision(long expected, long reported) {
        assertTrue(reported >= expected && reported - expected <= Math.max(1, expected / 128),
                () -> "expected " + expected + " to 2 significant digits, got " + reported);
    }
}
