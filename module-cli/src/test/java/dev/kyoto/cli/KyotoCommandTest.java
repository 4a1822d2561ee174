package dev.kyoto.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class KyotoCommandTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void helpListsTheSubcommandsWithTheirDescriptions() {
        CommandRun run = assertTimeoutPreemptively(TIMEOUT, () -> CommandRun.of(new KyotoCommand(), "--help"));
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().startsWith("Usage: kyoto "), run.out());
        assertTrue(run.out().contains("connect      Connects to a TCP server"), run.out());
        assertTrue(run.out().contains("echo-server  Runs a TCP echo server"), run.out());
        assertTrue(run.out().contains("bench        Measures echo round trips over loopback"), run.out());
    }

    @Test
    void eachSubcommandHasHelp() {
        CommandRun connect = assertTimeoutPreemptively(TIMEOUT, () -> CommandRun.of(new KyotoCommand(), "connect", "--help"));
        assertEquals(0, connect.exitCode(), connect.err());
        assertTrue(connect.out().startsWith("Usage: kyoto connect [-hV] [--insecure] [--tls] [--ca=FILE]"), connect.out());
        for (String option : new String[] {"--tls", "--ca=FILE", "--insecure", "--server-name=NAME", "HOST:PORT"}) {
            assertTrue(connect.out().contains(option), option + " in:\n" + connect.out());
        }

        CommandRun server = assertTimeoutPreemptively(TIMEOUT, () -> CommandRun.of(new KyotoCommand(), "echo-server", "--help"));
        assertEquals(0, server.exitCode(), server.err());
        assertTrue(server.out().startsWith("Usage: kyoto echo-server [-hV] [--current-thread] [--virtual-threads]"),
                server.out());
        assertTrue(server.out().contains("--virtual-threads     Serves each connection on a virtual thread of its"), server.out());
        assertTrue(server.out().contains("[--workers=N]"), server.out());
        assertTrue(server.out().contains("--grace=TIME          On SIGTERM or SIGINT, how long open connections may"), server.out());
        assertTrue(server.out().contains("--read-buffers=KIND   Where reads land: pooled direct buffers that the"), server.out());
        assertTrue(server.out().contains("(default: 127.0.0.1:7000)"), server.out());
        assertTrue(server.out().contains("Worker threads of the multi-thread runtime"), server.out());
        for (String option : new String[] {"--tls-cert=FILE", "--tls-key=FILE", "--tls-handshake-timeout=TIME"}) {
            assertTrue(server.out().contains(option), option + " in:\n" + server.out());
        }

        CommandRun bench = assertTimeoutPreemptively(TIMEOUT, () -> CommandRun.of(new KyotoCommand(), "bench", "--help"));
        assertEquals(0, bench.exitCode(), bench.err());
        assertTrue(bench.out().startsWith("Usage: kyoto bench [-hV] [--current-thread] [--insecure] [--tls] [-c=N]"), bench.out());
        for (String option : new String[] {"--connections=N", "--size=BYTES", "--duration=TIME", "--warmup=TIME",
                "--target=HOST:PORT", "--workers=N", "--current-thread", "--tls", "--ca=FILE", "--insecure", "--tls-cert=FILE"}) {
            assertTrue(bench.out().contains(option), option + " in:\n" + bench.out());
        }
    }

    /** The name a subcommand is added under is the one its own {@code @Command} gives, which its --help shows. */
    @Test
    void subcommandsAreAddedUnderTheirOwnNames() {
        KyotoCommand.subcommands().forEach((name, subcommand) ->
                assertEquals(name, new CommandLine(subcommand.get()).getCommandName()));
    }

    /** picocli's model of a subcommand is built only for the one that runs: a start-up cost. */
    @Test
    void aCommandLineBuildsOnlyTheSubcommandItNames() {
        assertEquals(List.of("echo-server"),
                List.copyOf(CommandLines.of(new KyotoCommand(), "echo-server", "--bind", "127.0.0.1:0").getSubcommands().keySet()));
        List<String> all = List.copyOf(KyotoCommand.subcommands().keySet());
        assertEquals(all, List.copyOf(CommandLines.of(new KyotoCommand(), "--help").getSubcommands().keySet()));
        assertEquals(all, List.copyOf(CommandLines.of(new KyotoCommand(), "echo-servr").getSubcommands().keySet()));
        assertEquals(all, List.copyOf(CommandLines.of(new KyotoCommand()).getSubcommands().keySet()));
    }

    /** With every subcommand added, a typo still gets picocli's suggestion. */
    @Test
    void aMisspelledSubcommandGetsASuggestion() {
        CommandRun run = assertTimeoutPreemptively(TIMEOUT, () -> CommandRun.of(new KyotoCommand(), "echo-servr"));
        run.assertUsageError("kyoto", "Unmatched argument at index 0: 'echo-servr' (did you mean echo-server");
    }

    @Test
    void versionNamesTheTool() {
        CommandRun run = assertTimeoutPreemptively(TIMEOUT, () -> CommandRun.of(new KyotoCommand(), "--version"));
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().startsWith("kyoto "), run.out());
    }

    @Test
    void aMissingSubcommandIsAUsageError() {
        CommandRun run = assertTimeoutPreemptively(TIMEOUT, () -> CommandRun.of(new KyotoCommand()));
        run.assertUsageError("kyoto", "Missing required subcommand");
    }

    @Test
    void anUnknownSubcommandIsAUsageError() {
        CommandRun run = assertTimeoutPreemptively(TIMEOUT, () -> CommandRun.of(new KyotoCommand(), "frobnicate"));
        run.assertUsageError("kyoto", "Unmatched argument at index 0: 'frobnicate'");
    }

    /** Every --help ends with the exit codes, which scripts need; echo-server adds its second-signal exits. */
    @Test
    void helpListsTheExitCodes() {
        for (String command : new String[] {"connect", "echo-server", "bench"}) {
            CommandRun run = assertTimeoutPreemptively(TIMEOUT, () -> CommandRun.of(new KyotoCommand(), command, "--help"));
            assertEquals(0, run.exitCode(), run.err());
            String codes = run.out().substring(run.out().indexOf("Exit codes:"));
            assertTrue(codes.matches("(?s)Exit codes:\\R  0 +Success\\.\\R  1 +Failure while running.*\\R  2 +Bad usage.*"), codes);
            assertEquals(command.equals("echo-server"), codes.contains("130/143   A second SIGINT/SIGTERM"), codes);
        }
    }
}
