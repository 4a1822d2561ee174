package dev.kyoto.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EchoServerCommandTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void echoesEachConnectionUntilKilled() {
        assertEchoes();
    }

    @Test
    void echoesOnACurrentThreadRuntime() {
        assertEchoes("--current-thread");
    }

    @Test
    void echoesOnAMultiThreadRuntimeWithOneWorker() {
        assertEchoes("--workers", "1");
    }

    @Test
    void echoesThroughHeapBuffers() {
        assertEchoes("--read-buffers", "heap");
    }

    @Test
    void echoesOnVirtualThreads() {
        assertEchoes("--virtual-threads");
    }

    @Test
    void virtualThreadsNeedTheMultiThreadRuntime() {
        CommandRun run = assertTimeoutPreemptively(TIMEOUT,
                () -> CommandRun.of(new KyotoCommand(), "echo-server", "--virtual-threads", "--current-thread"));

        run.assertUsageError("kyoto echo-server", "--virtual-threads needs the multi-thread runtime: "
                + "a current-thread runtime polls I/O only on its one thread; drop --current-thread");
    }

    @Test
    void metricsPrintsOneLineOfTheRuntimesCountersEveryPeriod() {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            try (KyotoProcess server = KyotoProcess.start("echo-server", "--bind", "127.0.0.1:0", "--metrics", "100ms")) {
                EchoCheck.twoConnections(server);
                // Lines keep coming, one per period; one after the echoes has counted their work.
                String line;
                do {
                    line = server.readLine();
                    assertTrue(line.startsWith("metrics: "), line);
                } while (line.contains(", 0 polls/s"));
                assertTrue(line.matches("metrics: [\\d,]+ tasks alive \\([\\d,]+/s spawned\\), [\\d,]+ polls/s, [\\d,]+ steals/s, "
                        + "[\\d,]+ parks/s, workers \\d+ % busy, queues [\\d,]+ global [\\d,]+ local, [\\d,]+ timers, "
                        + "I/O [\\d,]+ registered [\\d,]+ events/s [\\d,]+ turns/s [\\d,]+ wakeups/s"), line);
            }
        });
    }

    @Test
    void metricsNeedsAPositivePeriod() {
        CommandRun run = assertTimeoutPreemptively(TIMEOUT,
                () -> CommandRun.of(new KyotoCommand(), "echo-server", "--metrics", "0s"));

        run.assertUsageError("kyoto echo-server", "--metrics must be a positive duration, for example 1s");
    }

    @Test
    void runsAsAModuleAndReportsItsVersion() {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            try (KyotoProcess kyoto = KyotoProcess.start("--version")) {
                String version = kyoto.readLine();
                assertTrue(version.matches("kyoto \\d+\\.\\d+\\.\\d+.*"), version);
                assertEquals(0, kyoto.waitFor());
            }
        });
    }

    @Test
    void anAddressInUseIsAOneLineErrorWithExitCode1() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            CommandRun run = assertTimeoutPreemptively(TIMEOUT,
                    () -> CommandRun.of(new KyotoCommand(), "echo-server", "--bind", address));

            assertEquals(1, run.exitCode());
            assertEquals("", run.out());
            assertEquals("kyoto echo-server: cannot listen on " + address + ": Address already in use", run.errLine());
        }
    }

    @Test
    void aMalformedBindAddressIsAUsageError() {
        CommandRun run = assertTimeoutPreemptively(TIMEOUT,
                () -> CommandRun.of(new KyotoCommand(), "echo-server", "--bind", "localhost"));

        run.assertUsageError("kyoto echo-server", "invalid socket address \"localhost\"");
    }

    @Test
    void workersAndCurrentThreadExcludeEachOther() {
        CommandRun run = assertTimeoutPreemptively(TIMEOUT,
                () -> CommandRun.of(new KyotoCommand(), "echo-server", "--workers", "2", "--current-thread"));

        run.assertUsageError("kyoto echo-server",
                "--workers and --current-thread exclude each other: a current-thread runtime has no workers");
    }

    @Test
    void aWorkerCountBelowOneIsAUsageError() {
        CommandRun run = assertTimeoutPreemptively(TIMEOUT,
                () -> CommandRun.of(new KyotoCommand(), "echo-server", "--workers", "0"));

        run.assertUsageError("kyoto echo-server", "--workers must be at least 1, was 0");
    }

    @Test
    void anUnexpectedArgumentIsAUsageError() {
        CommandRun run = assertTimeoutPreemptively(TIMEOUT,
                () -> CommandRun.of(new KyotoCommand(), "echo-server", "127.0.0.1:0"));

        run.assertUsageError("kyoto echo-server", "Unmatched argument at index 1: '127.0.0.1:0'");
    }

    /** Starts {@code kyoto echo-server} with {@code options} in a child JVM and has two connections answered. */
    private static void assertEchoes(String... options) {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            List<String> args = new ArrayList<>(List.of("echo-server", "--bind", "127.0.0.1:0"));
            args.addAll(List.of(options));
            try (KyotoProcess server = KyotoProcess.start(args.toArray(String[]::new))) {
                EchoCheck.twoConnections(server);
            }
        });
    }
}
