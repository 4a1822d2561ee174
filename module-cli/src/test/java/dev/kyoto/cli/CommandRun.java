package dev.kyoto.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import picocli.CommandLine;

/** One in-process run of a command line, with the text picocli and the command wrote captured. */
record CommandRun(int exitCode, String out, String err) {

    static CommandRun of(Object command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = CommandLines.of(command, args);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exitCode = cli.execute(args);
        return new CommandRun(exitCode, out.toString(), err.toString());
    }

    /**
     * Asserts a usage error: exit code 2 and two lines, {@code COMMAND: MESSAGE} (the message
     * starting with {@code messageStart}) and the pointer to {@code COMMAND --help}; never the
     * whole usage text.
     */
    void assertUsageError(String command, String messageStart) {
        List<String> lines = err.lines().toList();
        if (exitCode != 2 || lines.size() != 2 || !lines.get(0).startsWith(command + ": " + messageStart)
                || !lines.get(1).equals("see '" + command + " --help'")) {
            throw new AssertionError("expected exit code 2 and\n" + command + ": " + messageStart + "...\nsee '" + command
                    + " --help'\ngot exit code " + exitCode + " and:\n" + err);
        }
    }

    /** The error output, which must be exactly one line. */
    String errLine() {
        if (err.lines().count() != 1) {
            throw new AssertionError("expected one line on standard error, got:\n" + err);
        }
        return err.strip();
    }
}
