package dev.kyoto.runtime.internal.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The poll-time histogram's buckets: powers of two of a microsecond, with no gap and no overlap. */
class PollTimesTest {

    @Test
    void eachBucketStartsWhereThePreviousEnds() {
        assertEquals(0, PollTimes.bucketStartNanos(0));
        for (int b = 1; b < PollTimes.BUCKETS; b++) {
            long start = PollTimes.bucketStartNanos(b);
            assertEquals((1L << (b - 1)) * 1_000, start);
            assertEquals(b, PollTimes.bucket(start), "the start of bucket " + b);
            assertEquals(b - 1, PollTimes.bucket(start - 1), "just before bucket " + b);
        }
    }

    @Test
    void pollsFallInTheirBuckets() {
        assertEquals(0, PollTimes.bucket(0));
        assertEquals(0, PollTimes.bucket(999));
        assertEquals(1, PollTimes.bucket(1_000));
        assertEquals(1, PollTimes.bucket(1_999));
        assertEquals(2, PollTimes.bucket(2_000));
        assertEquals(12, PollTimes.bucket(3_000_000));
        assertEquals(19, PollTimes.bucket(262_144_000));
        assertEquals(19, PollTimes.bucket(Long.MAX_VALUE), "the last bucket has no end");
        assertEquals(0, PollTimes.bucket(-5), "a clock that went backwards counts as the shortest poll");
    }

    @Test
    void countsAreKeptPerBucket() {
        PollTimes times = new PollTimes();
        times.record(500);
        times.record(1_500);
        times.record(1_700);
        times.record(10_000_000_000L);
        assertEquals(1, times.count(0));
        assertEquals(2, times.count(1));
        assertEquals(1, times.count(PollTimes.BUCKETS - 1));
        assertEquals(0, times.count(5));
    }
}
