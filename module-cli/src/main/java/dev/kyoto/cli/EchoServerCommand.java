package dev.kyoto.cli;

import dev.kyoto.io.BufferPool;
import dev.kyoto.net.SocketAddresses;
import dev.kyoto.net.TcpListener;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.RuntimeMetrics;
import dev.kyoto.runtime.time.Interval;
import dev.kyoto.runtime.time.Time;
import dev.kyoto.runtime.task.CancellationToken;
import dev.kyoto.tls.TlsAcceptor;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code kyoto echo-server}: a TCP server that sends every connection's bytes straight back,
 * for trying out clients and measuring round trips. Each connection is served by its own task, on
 * the runtime {@link RuntimeOptions} chose.
 *
 * <p>The server runs until SIGTERM or SIGINT, then shuts down gracefully ({@link StopSignals},
 * {@link EchoService#serveUntil}): it stops accepting at once, gives the open connections
 * {@code --grace} to finish, aborts the rest and exits with 0. A second signal exits at once.
 *
 * <p>The first line on standard output is {@code listening on HOST:PORT} with the bound address,
 * so that scripts and tests started with port 0 learn the port the system picked; followed by
 * {@code  (TLS)} when {@code --tls-cert} and {@code --tls-key} put every connection behind TLS.
 */
@Command(
        name = "echo-server",
        mixinStandardHelpOptions = true,
        description = {
            "Runs a TCP echo server: every connection gets its own bytes back; over TLS with --tls-cert and --tls-key.",
            "Prints 'listening on HOST:PORT' (and ' (TLS)') as its first line, then serves until SIGTERM or SIGINT: then it stops "
                    + "accepting, lets open connections finish for the grace period, closes the rest and exits with 0; "
                    + "a second signal exits at once. "
                    + "Runs on a multi-thread runtime with one worker per processor unless told otherwise."
        })
final class EchoServerCommand implements Callable<Integer> {
    private static final String NAME = "kyoto echo-server";

    @Spec
    private CommandSpec spec;

    @Mixin
    private RuntimeOptions runtime;

    @Mixin
    private TlsServerOptions tlsOptions;

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "127.0.0.1:7000",
            description = "The address to listen on, HOST:PORT; port 0 picks a free port (default: ${DEFAULT-VALUE}).")
    private String bind;

    @Option(names = "--grace", paramLabel = "TIME", defaultValue = "10s", converter = DurationConverter.class,
            description = "On SIGTERM or SIGINT, how long open connections may go on before the server closes them, "
                    + "for example 10s or 500ms; 0 closes them at once (default: ${DEFAULT-VALUE}).")
    private Duration grace;

    /** Where each connection's reads land; heap buffers are there to measure what direct ones save. */
    enum ReadBuffers {
        direct, heap
    }

    @Option(names = "--read-buffers", paramLabel = "KIND", defaultValue = "direct",
            description = "Where reads land: pooled direct buffers that the kernel fills (direct), or pooled heap "
                    + "buffers that the JDK fills through a copy (heap), to measure what the copy costs "
                    + "(default: ${DEFAULT-VALUE}).")
    private ReadBuffers readBuffers;

    @Option(names = "--virtual-threads",
            description = "Serves each connection on a virtual thread of its own, in straight-line code "
                    + "(read(buffer).await(), writeAll(buffer).await()), instead of as a task: README.md's second echo "
                    + "server, with the runtime's workers on virtual threads too. Needs the multi-thread runtime.")
    private boolean virtualThreads;

    @Option(names = "--metrics", paramLabel = "TIME", converter = DurationConverter.class,
            description = "Prints one line of the runtime's metrics on standard output every TIME, for example 1s: "
                    + "tasks alive and spawned, polls, steals and parks per second, how busy the workers are, queue "
                    + "depths, timers, and the I/O driver's registrations, events, turns and wakeups.")
    private Duration metrics;

    /** Prints a {@link MetricsLine} every {@code period}, until the runtime closes. */
    private static Async<Void> printMetrics(PrintWriter out, RuntimeMetrics metrics, Duration period) {
        MetricsLine line = new MetricsLine(metrics);
        Interval ticks = Time.interval(period);
        // An interval's first tick is due at once: the first line comes a whole period later.
        return ticks.tick().then(first -> Async.loop(() -> ticks.tick().map(t -> {
            out.println(line.next());
            out.flush();
            return true;
        })));
    }

    @Override
    public Integer call() throws Exception {
        Async<TcpListener> binding;
        try {
            binding = TcpListener.bind(bind);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        if (virtualThreads && runtime.currentThread()) {
            throw new ParameterException(spec.commandLine(), "--virtual-threads needs the multi-thread runtime: "
                    + "a current-thread runtime polls I/O only on its one thread; drop --current-thread");
        }
        if (metrics != null && (metrics.isZero() || metrics.isNegative())) {
            throw new ParameterException(spec.commandLine(), "--metrics must be a positive duration, for example 1s");
        }
        TlsAcceptor tls = tlsOptions.acceptor();
        Duration handshakeTimeout = tlsOptions.handshakeTimeout();
        PrintWriter err = spec.commandLine().getErr();
        try (KyotoRuntime rt = runtime.build(virtualThreads)) {
            TcpListener listener;
            try {
                listener = rt.blockOn(binding);
            } catch (IOException e) {
                err.println(NAME + ": cannot listen on " + bind + ": " + Failures.describe(e, bind));
                return ExitCode.SOFTWARE;
            }
            try (listener) {
                CancellationToken stop = new CancellationToken();
                // Before the line below, so that whoever saw it may signal and be heard.
                StopSignals.install(NAME, err, stop::cancel);
                PrintWriter out = spec.commandLine().getOut();
                out.println("listening on " + SocketAddresses.format(listener.localAddress()) + (tls == null ? "" : " (TLS)"));
                // Whoever waits for this line may be reading a pipe; it must not sit in a buffer.
                out.flush();
                if (metrics != null) {
                    rt.spawn("metrics", printMetrics(out, rt.metrics(), metrics));
                }
                BufferPool buffers = readBuffers == ReadBuffers.heap
                        ? BufferPool.heap(BufferPool.DEFAULT_BUFFER_SIZE) : BufferPool.shared();
                // Spawned onto the runtime rather than run by blockOn itself: on a multi-thread
                // runtime the main thread is no worker, and an accept loop there costs every new
                // connection a wake of the main thread and then one of a worker (issue 8: 4.3 futex
                // calls per connection against 0.8).
                rt.blockOn(rt.spawn("echo server", new EchoService(err, NAME, buffers, tls, handshakeTimeout, virtualThreads).serveUntil(listener, stop, grace)));
                return ExitCode.OK;
            } catch (IOException e) {
                err.println(NAME + ": cannot accept connections on " + bind + ": " + Failures.describe(e));
            }
            return ExitCode.SOFTWARE;
        }
    }
}
