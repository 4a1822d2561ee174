package dev.kyoto.cli;

import java.io.PrintWriter;
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
                + "to receiving all of its echo, to 2 significant digits.");
        out.flush();
    }

    private static String bytes(int size) {
        if (size % (1 << 20) == 0) {
            return size / (1 << 20) + " MiB";
        }
        return size % (1 << 10) == 0 ? size / (1 << 10) + " KiB" : size + " B";
    }

    /** Microseconds below a millisecond, milliseconds below a second, else seconds. */
    private static String latency(long nanos) {
        if (nanos < 1_000_000) {
            return String.format(Locale.ROOT, "%.1f us", nanos / 1e3);
        }
        return nanos < 1_000_000_000
                ? String.format(Locale.ROOT, "%.2f ms", nanos / 1e6)
                : String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }
}
