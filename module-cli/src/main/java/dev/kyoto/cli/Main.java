package dev.kyoto.cli;

/**
 * The entry point of the {@code kyoto} tool: parses the arguments, runs the chosen command and
 * exits with its code: 0 on success, 1 when the command fails, 2 for bad arguments, and for
 * {@code echo-server} 130 or 143 when a second SIGINT or SIGTERM cuts its shutdown short.
 */
public final class Main {
    private Main() {
    }

    /**
     * Runs {@code kyoto} with {@code args} and exits the JVM with the command's exit code.
     *
     * @param args the command line, for example {@code connect 127.0.0.1:7000}
     */
    public static void main(String[] args) {
        System.exit(CommandLines.of(new KyotoCommand(), args).execute(args));
    }
}
