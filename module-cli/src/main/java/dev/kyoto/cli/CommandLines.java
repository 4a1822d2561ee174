package dev.kyoto.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code kyoto} command line as every entry point (and test) builds it: errors reported the
 * same way by every command, and the exit codes listed in every {@code --help}.
 *
 * <p>Every error is one line that starts with the command's full name, {@code kyoto bench: …},
 * as the commands' own failures do. A bad argument is that line and a pointer to {@code --help},
 * not picocli's default of the whole usage text (11 to 25 lines, which buries the error); a
 * failure that escapes a command is that line too, not a stack trace.
 */
final class CommandLines {
    /** Exit status when {@code echo-server} gets a second SIGINT or SIGTERM: 128 plus the signal's number. */
    static final int SECOND_SIGINT = 130;
    static final int SECOND_SIGTERM = 143;

    private CommandLines() {
    }

    /**
     * A {@link CommandLine} for {@code command} ({@link KyotoCommand}, or one subcommand on its
     * own, in tests) that is to run {@code args}.
     *
     * <p>Under {@link KyotoCommand} it adds only the subcommand that {@code args} names first, or
     * all of them when the first argument names none ({@code --help}, a typo that needs
     * suggestions). picocli builds a command's model by reflection over its annotations, and in
     * the tool's image that was a fifth of the time from launch to the first accepted connection
     * (35 ms of 190, in interpreted code: picocli's classes are Java 5 bytecode, which the image's
     * ahead-of-time cache cannot hold).
     */
    static CommandLine of(Object command, String... args) {
        CommandLine cli = new CommandLine(command);
        if (command instanceof KyotoCommand) {
            SequencedMap<String, Supplier<Object>> subcommands = KyotoCommand.subcommands();
            Supplier<Object> named = args.length > 0 ? subcommands.get(args[0]) : null;
            if (named != null) {
                cli.addSubcommand(args[0], named.get());
            } else {
                subcommands.forEach((name, subcommand) -> cli.addSubcommand(name, subcommand.get()));
            }
        }
        // After the subcommands: picocli gives a handler only to the subcommands present when it is set.
        cli.setParameterExceptionHandler(CommandLines::usageError);
        cli.setExecutionExceptionHandler(CommandLines::failure);
        listExitCodes(cli);
        return cli;
    }

    /** {@code kyoto bench}, {@code kyoto}: the name a user typed, also for a subcommand run on its own. */
    static String name(CommandLine cli) {
        String qualified = cli.getCommandSpec().qualifiedName(" ");
        return qualified.equals("kyoto") || qualified.startsWith("kyoto ") ? qualified : "kyoto " + qualified;
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine cli = e.getCommandLine();
        String name = name(cli);
        String message = e.getMessage();
        if (e instanceof UnmatchedArgumentException unmatched) {
            List<String> suggestions = unmatched.getSuggestions();
            if (!suggestions.isEmpty()) {
                message += " (did you mean " + String.join(" or ", suggestions) + "?)";
            }
        }
        PrintWriter err = cli.getErr();
        err.println(name + ": " + message);
        err.println("see '" + name + " --help'");
        err.flush();
        return cli.getCommandSpec().exitCodeOnInvalidInput();
    }

    /**
     * A failure no command caught: an I/O failure is reported in one line; anything else is a
     * defect in the tool, so its stack trace follows, for the bug report.
     */
    private static int failure(Exception e, CommandLine cli, ParseResult parsed) {
        PrintWriter err = cli.getErr();
        err.println(name(cli) + ": " + Failures.describe(e));
        if (!(e instanceof IOException || e instanceof UncheckedIOException)) {
            e.printStackTrace(err);
        }
        err.flush();
        return ExitCode.SOFTWARE;
    }

    private static void listExitCodes(CommandLine cli) {
        Map<String, String> codes = new LinkedHashMap<>();
        codes.put("0", "Success.");
        codes.put("1", "Failure while running: cannot connect, bind or serve, for example.");
        codes.put("2", "Bad usage: an unknown option or an invalid value.");
        if (cli.getCommandSpec().userObject() instanceof EchoServerCommand) {
            codes.put(SECOND_SIGINT + "/" + SECOND_SIGTERM, "A second SIGINT/SIGTERM cut the graceful shutdown short.");
        }
        cli.getCommandSpec().usageMessage().exitCodeListHeading("Exit codes:%n").exitCodeList(codes);
        for (CommandLine sub : cli.getSubcommands().values()) {
            listExitCodes(sub);
        }
    }
}
