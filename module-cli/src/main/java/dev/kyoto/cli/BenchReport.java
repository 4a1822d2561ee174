package dev.kyoto.cli;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;
import java.util.Locale;

/**
 * The result of a {@code kyoto bench} run, printed as a one-row table under a line that says
 * what was measured.
 *
 * @param target what the clients talked to, for example {@code 127.0.0.1:40123 (its own echo server)}
 * @param runtime the runtime in words, from {@link RuntimeOptions#describe()}
 * @param connections the number of connections
 * @param size the message size in bytes
 * @param warmupSeconds the warm-up before the window
 * @param window when round trips were measured
 * @param latencies the round trips measured inside the window
 */
record BenchReport(String target, String runtime, int connections, int size, double warmupSeconds,
        MeasurementWindow window, LatencyHistogram latencies) {

    private static final MathContext LATENCY_DIGITS = new MathContext(3, RoundingMode.HALF_UP);
    private static final List<String> HEADER =
            List.of("connections", "size", "round trips", "round trips/s", "MiB/s", "p50", "p90", "p99", "p99.9", "max");

    /** Round trips per second inside the window. */
    double roundTripsPerSecond() {
        return latencies.count() / window.seconds();
    }

    /** Writes the report: a line of context, the table, and a line on what the numbers mean. */
    void print(PrintWriter out) {
        out.printf(Locale.ROOT, "kyoto bench: %s, %s; %.1f s measured after %.1f s of warm-up%n",
                target, runtime, window.seconds(), warmupSeconds);
        List<String> row = List.of(
                String.valueOf(connections),
                bytes(size),
                String.format(Locale.ROOT, "%,d", latencies.count()),
                String.format(Locale.ROOT, "%,.0f", roundTripsPerSecond()),
                String.format(Locale.ROOT, "%.2f", roundTripsPerSecond() * size / (1 << 20)),
                latency(latencies.valueAtPercentile(50)),
                latency(latencies.valueAtPercentile(90)),
                latency(latencies.valueAtPercentile(99)),
                latency(latencies.valueAtPercentile(99.9)),
                latency(latencies.max()));
        StringBuilder header = new StringBuilder();
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < HEADER.size(); i++) {
            int width = Math.max(HEADER.get(i).length(), row.get(i).length());
            String gap = i == 0 ? "" : "  ";
            header.append(gap).append(" ".repeat(width - HEADER.get(i).length())).append(HEADER.get(i));
            values.append(gap).append(" ".repeat(width - row.get(i).length())).append(row.get(i));
        }
        out.println(header);
        out.println(values);
        out.println("MiB/s counts each message once (it travels both ways); latency runs from sending a message "
                + "to receiving all of its echo, within 1%, shown to 3 significant digits.");
        out.flush();
    }

    private static String bytes(int size) {
        if (size % (1 << 20) == 0) {
            return size / (1 << 20) + " MiB";
        }
        return size % (1 << 10) == 0 ? size / (1 << 10) + " KiB" : size + " B";
    }

    /**
     * A latency to 3 significant digits ({@code 620 us}, {@code 1.23 ms}, {@code 12.0 s}): the
     * histogram is precise to within 1% ({@link LatencyHistogram}), so a fourth digit would be
     * noise. Microseconds below a millisecond, milliseconds below a second, else seconds, chosen
     * after rounding, so that 999.7 us is {@code 1.00 ms}.
     */
    static String latency(long nanos) {
        BigDecimal rounded = BigDecimal.valueOf(nanos).round(LATENCY_DIGITS);
        int shift = rounded.compareTo(BigDecimal.valueOf(1_000_000)) < 0 ? 3
                : rounded.compareTo(BigDecimal.valueOf(1_000_000_000)) < 0 ? 6 : 9;
        String unit = shift == 3 ? " us" : shift == 6 ? " ms" : " s";
        return rounded.movePointLeft(shift).round(LATENCY_DIGITS).toPlainString() + unit;
    }
}
