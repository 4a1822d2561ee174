package dev.kyoto.cli;

import picocli.CommandLine.Command;

/**
 * The top-level {@code kyoto} command. It only groups the subcommands: it is deliberately neither
 * {@link Runnable} nor {@link java.util.concurrent.Callable}, so that picocli rejects a command
 * line without a subcommand as a usage error.
 */
@Command(
        name = "kyoto",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Network tools built on the Kyoto asynchronous I/O runtime.",
        subcommands = {ConnectCommand.class, EchoServerCommand.class, BenchCommand.class})
final class KyotoCommand {
}
