package dev.kyoto.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class BenchCommandTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String SHORT_RUN = "--duration=1s";
    private static final String NO_WARMUP = "--warmup=0s";
    private static final Pattern HEADER = Pattern.compile(
            " *connections +size +round trips +round trips/s +MiB/s +p50 +p90 +p99 +p99\\.9 +max");
    private static final Pattern ROW = Pattern.compile(
            " *(\\d+) +(\\d+ (?:B|KiB|MiB)) +([\\d,]+) +([\\d,]+) +([\\d.]+)( +[\\d.]+ (?:us|ms|s)){5}");

    @Test
    void aShortRunEndsWithATableOfRealRoundTrips() {
        CommandRun run = bench(SHORT_RUN, NO_WARMUP, "--connections=4");

        assertEquals(0, run.exitCode(), run.err());
        assertEquals("", run.err());
        Matcher row = table(run.out());
        assertEquals("4", row.group(1));
        assertEquals("64 B", row.group(2));
        assertTrue(count(row.group(3)) > 0, run.out());
        assertTrue(count(row.group(4)) > 0, run.out());
        assertTrue(run.out().startsWith("kyoto bench: 127.0.0.1:"), run.out());
        assertTrue(run.out().contains("(its own echo server), multi-thread runtime, "), run.out());
        assertTrue(!run.out().contains("\r"), "no progress line without a terminal");
        assertTrue(run.out().contains("\nthis runtime during the measurement (clients and server), metrics: "), run.out());
        assertTrue(!run.out().contains(", 0 polls/s"), "the measured work was counted: " + run.out());
    }

    @Test
    void runsOnACurrentThreadRuntimeWithLargeMessages() {
        // 256 KiB is more than loopback's socket buffers hold at once, so the client must read
        // while it still writes.
        CommandRun run = bench(SHORT_RUN, NO_WARMUP, "--connections=2", "--size=256k", "--current-thread");

        assertEquals(0, run.exitCode(), run.err());
        Matcher row = table(run.out());
        assertEquals("256 KiB", row.group(2));
        assertTrue(count(row.group(3)) > 0, run.out());
        assertTrue(run.out().contains("current-thread runtime"), run.out());
    }

    @Test
    void measuresAnEchoServerGivenAsTarget() throws Exception {
        try (LoopbackServer server = LoopbackServer.start(LoopbackServer.ECHO)) {
            CommandRun run = bench(SHORT_RUN, NO_WARMUP, "--connections=2", "--workers=1", "--target=" + server.address());

            assertEquals(0, run.exitCode(), run.err());
            assertTrue(count(table(run.out()).group(3)) > 0, run.out());
            assertTrue(run.out().startsWith("kyoto bench: " + server.address() + ", multi-thread runtime, 1 worker;"), run.out());
        }
    }

    @Test
    void drawsAProgressLineOnATerminalAndErasesIt() {
        CommandRun run = assertTimeoutPreemptively(TIMEOUT,
                () -> CommandRun.of(new BenchCommand(true), "--duration=1500ms", NO_WARMUP, "--connections=2"));

        assertEquals(0, run.exitCode(), run.err());
        // One draw a second (the first at 1.0 s, measuring), then blanks over the line before the report.
        assertTrue(run.out().matches("(?s)(\r +\\d+\\.\\d s  (measuring|finishing) +[\\d,]+ round trips/s)+\r +\rkyoto bench: .*"),
                run.out());
        table(run.out());
    }

    @Test
    void aTargetThatIsNotAnEchoServerFailsTheRun() throws Exception {
        try (LoopbackServer server = LoopbackServer.start(LoopbackServer.GARBLED)) {
            CommandRun run = bench(SHORT_RUN, NO_WARMUP, "--connections=1", "--target=" + server.address());

            assertEquals(1, run.exitCode());
            assertEquals("", run.out());
            assertEquals("kyoto bench: a connection to " + server.address()
                    + " failed: the reply differs from the message sent: the target is not an echo server", run.errLine());
        }
    }

    @Test
    void aTargetThatStopsAnsweringIsAbandonedAfterTheGracePeriod() throws Exception {
        try (LoopbackServer server = LoopbackServer.start(LoopbackServer.SILENT)) {
            CommandRun run = bench("--duration=100ms", NO_WARMUP, "--connections=3", "--target=" + server.address());

            assertEquals(1, run.exitCode());
            assertEquals("kyoto bench: 3 of 3 connections got no reply within 2 s after the end; is "
                    + server.address() + " an echo server?", run.errLine());
        }
    }

    @Test
    void aRefusedTargetIsAOneLineErrorWithExitCode1() throws Exception {
        String address;
        try (LoopbackServer server = LoopbackServer.start(LoopbackServer.ECHO)) {
            address = server.address();
        }
        // The runtime's own log goes to the process's standard error, not the command's.
        PrintStream original = System.err;
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        CommandRun run;
        System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8));
        try {
            run = bench(SHORT_RUN, "--connections", "60", "--target=" + address);
        } finally {
            System.setErr(original);
        }

        assertEquals(1, run.exitCode());
        assertEquals("kyoto bench: cannot connect to " + address + ": Connection refused", run.errLine());
        assertEquals("", logged.toString(StandardCharsets.UTF_8),
                "the failed attempts are the command's to report, not unhandled task failures to log");
    }

    @Test
    void aNonLoopbackTargetIsRefusedBeforeAnyConnection() {
        // 192.0.2.0/24 is reserved for documentation: nothing answers there, and nothing is sent.
        for (String target : List.of("192.0.2.1:7000", "[2001:db8::1]:7000", "0.0.0.0:7000")) {
            CommandRun run = bench(SHORT_RUN, "--target=" + target);

            run.assertUsageError("kyoto bench", "--target " + target + " is not a loopback address (it is ");
            assertTrue(run.err().contains("kyoto bench only measures servers on this machine"), run.err());
        }
    }

    @Test
    void badOptionsAreUsageErrors() {
        assertUsageError("--connections must be at least 1, was 0", "--connections=0");
        assertUsageError("--size must be at least 1 byte, was 0", "--size=0");
        assertUsageError("--duration must be longer than 0", "--duration=0s");
        assertUsageError("Invalid value for option '--duration': 'soon' is not a duration", "--duration=soon");
        assertUsageError("Invalid value for option '--size': '1g' is not a size", "--size=1g");
        assertUsageError("Invalid value for option '--connections': 'many' is not an int", "--connections=many");
        assertUsageError("--workers must be at least 1, was 0", "--workers=0");
        assertUsageError("--workers and --current-thread exclude each other", "--workers=2", "--current-thread");
        assertUsageError("--target: invalid socket address \"nonsense\"", "--target=nonsense");
        assertUsageError("--target 127.0.0.1:0 has port 0, which no server listens on", "--target=127.0.0.1:0");
        assertUsageError("--connections 1000000 and --size 1073741824 need", "--connections=1000000", "--size=1024m");
        assertUsageError("Unknown option: '--frobnicate'", "--frobnicate");
        assertUsageError("Unknown option: '--conections=2' (did you mean --connections?)", "--conections=2");
    }

    private static void assertUsageError(String start, String... args) {
        bench(args).assertUsageError("kyoto bench", start);
    }

    private static CommandRun bench(String... args) {
        String[] line = new String[args.length + 1];
        line[0] = "bench";
        System.arraycopy(args, 0, line, 1, args.length);
        return assertTimeoutPreemptively(TIMEOUT, () -> CommandRun.of(new KyotoCommand(), line));
    }

    /** The table's row, after checking the header above it. */
    private static Matcher table(String out) {
        List<String> lines = out.lines().toList();
        int header = 0;
        while (header < lines.size() && !HEADER.matcher(lines.get(header)).matches()) {
            header++;
        }
        assertTrue(header + 1 < lines.size(), "no table in:\n" + out);
        Matcher row = ROW.matcher(lines.get(header + 1));
        assertTrue(row.matches(), "not a table row: " + lines.get(header + 1));
        return row;
    }

    private static long count(String grouped) {
        return Long.parseLong(grouped.replace(",", ""));
    }
}
