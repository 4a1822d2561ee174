package dev.kyoto.cli;

import dev.kyoto.runtime.KyotoRuntime;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The runtime options of the commands that serve or measure ({@code --workers N},
 * {@code --current-thread}), mixed into each so that they read and behave the same everywhere.
 *
 * <p>The default is the multi-thread, work-stealing runtime with one worker per processor, as
 * Tokio's {@code #[tokio::main]} is: a server should use the machine, and a measurement of Kyoto
 * should be comparable with a Tokio peer run with its defaults. {@code --current-thread} runs
 * every task on the main thread instead.
 */
final class RuntimeOptions {
    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    @Option(names = "--workers", paramLabel = "N",
            description = "Worker threads of the multi-thread runtime (default: the "
                    + KyotoRuntime.Builder.WORKER_THREADS_ENV + " environment variable, else one per processor).")
    private Integer workers;

    @Option(names = "--current-thread",
            description = "Run every task on the main thread (a current-thread runtime) instead of on worker threads.")
    private boolean currentThread;

    /**
     * Builds the chosen runtime with I/O enabled.
     *
     * @throws ParameterException if the options contradict each other, the worker count is not
     *     positive, or {@value KyotoRuntime.Builder#WORKER_THREADS_ENV} is set to nonsense: all input
     *     the user gave, so all usage errors
     */
    KyotoRuntime build() {
        return build(false);
    }

    /**
     * Builds the chosen runtime with I/O enabled, its workers on virtual threads if asked
     * ({@code Builder.virtualThreadWorkers()}); see {@link #build()}.
     */
    KyotoRuntime build(boolean virtualThreadWorkers) {
        if (currentThread && workers != null) {
            throw new ParameterException(command.commandLine(),
                    "--workers and --current-thread exclude each other: a current-thread runtime has no workers");
        }
        if (workers != null && workers <= 0) {
            throw new ParameterException(command.commandLine(), "--workers must be at least 1, was " + workers);
        }
        KyotoRuntime.Builder builder = KyotoRuntime.builder();
        if (currentThread) {
            builder.currentThread();
        } else {
            builder.multiThread();
            if (workers != null) {
                builder.workerThreads(workers);
            }
            if (virtualThreadWorkers) {
                builder.virtualThreadWorkers();
            }
        }
        try {
            return builder.enableAll().build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(command.commandLine(), e.getMessage(), e);
        }
    }

    /** Whether the user asked for a current-thread runtime. */
    boolean currentThread() {
        return currentThread;
    }

    /** The runtime in words, for reports: {@code current-thread runtime} or {@code multi-thread runtime, 2 workers}. */
    String describe() {
        if (currentThread) {
            return "current-thread runtime";
        }
        int n = workers != null ? workers : defaultWorkers();
        return "multi-thread runtime, " + n + (n == 1 ? " worker" : " workers");
    }

    /**
     * The worker count the builder picks when none is given, read the same way; a malformed
     * variable never gets here, because {@link #build()} refuses it first.
     */
    private static int defaultWorkers() {
        String env = System.getenv(KyotoRuntime.Builder.WORKER_THREADS_ENV);
        return env == null || env.isBlank() ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(env.strip());
    }
}
