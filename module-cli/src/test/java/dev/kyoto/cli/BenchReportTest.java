package dev.kyoto.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Latencies are printed to the precision the histogram has: 3 significant digits, not 4. */
class BenchReportTest {

    @Test
    void latenciesHaveThreeSignificantDigits() {
        assertEquals("620 us", BenchReport.latency(619_500));
        assertEquals("0.850 us", BenchReport.latency(850));
        assertEquals("100 us", BenchReport.latency(100_000));
        assertEquals("1.23 ms", BenchReport.latency(1_234_567));
        assertEquals("1.20 ms", BenchReport.latency(1_200_000));
        assertEquals("12.3 ms", BenchReport.latency(12_345_678));
        assertEquals("123 ms", BenchReport.latency(123_456_789));
        assertEquals("12.0 s", BenchReport.latency(12_000_000_000L));
    }

    @Test
    void theUnitIsChosenAfterRounding() {
        assertEquals("1.00 ms", BenchReport.latency(999_700));
        assertEquals("1.00 s", BenchReport.latency(999_999_999));
    }
}
