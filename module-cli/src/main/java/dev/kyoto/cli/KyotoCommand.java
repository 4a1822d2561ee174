package dev.kyoto.cli;

import java.util.LinkedHashMap;
import java.util.SequencedMap;
import java.util.function.Supplier;
import picocli.CommandLine.Command;

/**
 * The top-level {@code kyoto} command. It only groups the subcommands: it is deliberately neither
 * {@link Runnable} nor {@link java.util.concurrent.Callable}, so that picocli rejects a command
 * line without a subcommand as a usage error.
 *
 * <p>The subcommands are not in the {@code @Command} annotation, where picocli would build every
 * one's model at start: {@link CommandLines#of(Object, String...)} adds only the one a command
 * line names.
 */
@Command(
        name = "kyoto",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Network tools built on the Kyoto asynchronous I/O runtime.")
final class KyotoCommand {

    /** The subcommands by the name each one's {@code @Command} gives, in the order {@code --help} lists them. */
    static SequencedMap<String, Supplier<Object>> subcommands() {
        SequencedMap<String, Supplier<Object>> subcommands = new LinkedHashMap<>();
        subcommands.put("connect", ConnectCommand::new);
        subcommands.put("echo-server", EchoServerCommand::new);
        subcommands.put("bench", BenchCommand::new);
        return subcommands;
    }
}
