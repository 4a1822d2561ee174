package dev.kyoto.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** One in-process run of a command line, with the text picocli and the command wrote captured. */
record CommandRun(int exitCode, String out, String err) {

    static CommandRun of(Object command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exitCode = cli.execute(args);
        return new CommandRun(exitCode, out.toString(), err.toString());
    }

    /** The error output, which must be exactly one line. */
    String errLine() {
        if (err.lines().count() != 1) {
            throw new AssertionError("expected one line on standard error, got:\n" + err);
        }
        return err.strip();
    }
}
