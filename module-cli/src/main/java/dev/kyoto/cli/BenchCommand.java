package dev.kyoto.cli;

import dev.kyoto.io.AsyncRead;
import dev.kyoto.io.AsyncWrite;
import dev.kyoto.net.Dns;
import dev.kyoto.net.SocketAddresses;
import dev.kyoto.net.TcpListener;
import dev.kyoto.net.TcpStream;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.task.TaskGroup;
import dev.kyoto.runtime.time.Time;
import dev.kyoto.tls.TlsAcceptor;
import dev.kyoto.tls.TlsConnector;
import dev.kyoto.tls.TlsStream;
import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code kyoto bench}: a loopback echo benchmark. It starts an echo server (or uses
 * {@code --target}, which must be on this machine), opens the connections, lets them warm up,
 * then has each send a message and wait for its echo, over and over, for the duration; and prints
 * a table of round trips per second, throughput and latency percentiles.
 *
 * <p>Server and clients share one runtime, so the numbers are those of Kyoto on both ends. Only
 * loopback targets are accepted: a benchmark is a flood of traffic, and this tool must never aim
 * one at another machine by mistake.
 *
 * <p>With {@code --tls} every connection does its TLS handshake before the clock starts, so the
 * latencies are those of round trips over established TLS sessions, handshakes excluded; the
 * report names the protocol and cipher suite. Its own echo server then needs {@code --tls-cert}
 * and {@code --tls-key} (the JDK can make no certificate without {@code keytool}, which the
 * tool's image does not hold).
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Measures echo round trips over loopback: starts an echo server (or uses --target), opens the connections, "
                    + "and has each send a message and wait for its echo, again and again.",
            "Ends with a table of round trips per second, MiB/s and latency percentiles. "
                    + "Shows a progress line while it runs if standard output is a terminal.",
            "With --tls the connections speak TLS (to its own server, given --tls-cert and --tls-key, or to --target); "
                    + "handshakes are done before the clock starts and are not in the latencies."
        })
final class BenchCommand implements Callable<Integer> {
    private static final String NAME = "kyoto bench";

    /** How long a connection has to finish its TLS handshake, so that a target that never answers cannot hang the run. */
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    /** How long after the end a client may still wait for its last reply before it is abandoned. */
    private static final Duration GRACE = Duration.ofSeconds(2);

    @Spec
    private CommandSpec spec;

    @Mixin
    private RuntimeOptions runtime;

    @Mixin
    private TlsClientOptions clientTls;

    @Mixin
    private TlsServerOptions serverTls;

    @Option(names = {"-c", "--connections"}, paramLabel = "N", defaultValue = "50",
            description = "Connections, each with one message in flight (default: ${DEFAULT-VALUE}).")
    private int connections;

    @Option(names = {"-s", "--size"}, paramLabel = "BYTES", defaultValue = "64", converter = ByteSizeConverter.class,
            description = "Message size in bytes; k and m mean KiB and MiB, for example 16k (default: ${DEFAULT-VALUE}).")
    private int size;

    @Option(names = {"-d", "--duration"}, paramLabel = "TIME", defaultValue = "10s", converter = DurationConverter.class,
            description = "How long to measure, for example 10s, 500ms or 1m (default: ${DEFAULT-VALUE}).")
    private Duration duration;

    @Option(names = "--warmup", paramLabel = "TIME", defaultValue = "1s", converter = DurationConverter.class,
            description = "How long to run before measuring, so the JIT compiler has done its work (default: ${DEFAULT-VALUE}).")
    private Duration warmup;

    @Option(names = "--target", paramLabel = "HOST:PORT",
            description = "An echo server to measure instead of the built-in one; it must be a loopback address "
                    + "(127.0.0.0/8, ::1, or a name that resolves only to those).")
    private String target;

    private final boolean terminal;

    /** Decides from the process's console whether to draw the progress line; picocli uses this constructor. */
    BenchCommand() {
        this(isTerminal(System.console()));
    }

    /** @param terminal whether standard output is a terminal, on which a progress line may be drawn */
    BenchCommand(boolean terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws Exception {
        checkOptions();
        Async<List<InetSocketAddress>> lookup = null;
        if (target != null) {
            try {
                lookup = Dns.lookup(target);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--target: " + e.getMessage(), e);
            }
        }
        PrintWriter err = spec.commandLine().getErr();
        TlsAcceptor acceptor = serverTls.acceptor();
        Duration handshakeTimeout = serverTls.handshakeTimeout();
        TlsConnector connector = clientTls.connector(err, NAME);
        try (KyotoRuntime rt = runtime.build()) {
            TcpListener server = null;
            JoinHandle<Void> serving = null;
            try {
                List<InetSocketAddress> addresses;
                String described;
                String serverName;
                if (lookup == null) {
                    server = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                    serving = rt.spawn("bench echo server", new EchoService(err, NAME, acceptor, handshakeTimeout).acceptLoop(server));
                    addresses = List.of(server.localAddress());
                    described = SocketAddresses.format(server.localAddress()) + " (its own echo server)";
                    serverName = clientTls.serverName("127.0.0.1");
                } else {
                    addresses = loopbackOnly(resolve(rt, lookup));
                    described = target;
                    serverName = clientTls.serverName(ConnectCommand.host(target));
                }
                List<Connection<?>> streams = connectAll(rt, addresses, connector, serverName, err);
                if (streams == null) {
                    return ExitCode.SOFTWARE;
                }
                return measure(rt, streams, described, serving != null, err);
            } finally {
                if (serving != null) {
                    // Stopped and joined before its listener closes, so it never fails on a closed listener.
                    serving.abort();
                    try {
                        rt.blockOn(serving);
                    } catch (CancellationException expected) {
                        // the abort above
                    }
                }
                if (server != null) {
                    server.close();
                }
            }
        }
    }

    private void checkOptions() {
        if (connections < 1) {
            throw new ParameterException(spec.commandLine(), "--connections must be at least 1, was " + connections);
        }
        if (size < 1) {
            throw new ParameterException(spec.commandLine(), "--size must be at least 1 byte, was " + size);
        }
        if (duration.isZero()) {
            throw new ParameterException(spec.commandLine(), "--duration must be longer than 0");
        }
        if (serverTls.enabled() && target != null) {
            throw new ParameterException(spec.commandLine(),
                    "--tls-cert and --tls-key are for kyoto bench's own echo server, and --target names another: leave them out");
        }
        if (serverTls.enabled() && !clientTls.enabled()) {
            throw new ParameterException(spec.commandLine(), "--tls-cert and --tls-key need --tls: the clients must speak TLS too");
        }
        if (clientTls.enabled() && target == null && !serverTls.enabled()) {
            throw new ParameterException(spec.commandLine(), "--tls without --target needs --tls-cert and --tls-key "
                    + "for kyoto bench's own echo server (or --target, a TLS echo server such as kyoto echo-server --tls-cert)");
        }
        // Each connection holds a message and a reply buffer; refuse what cannot fit rather than
        // fail half-way with an OutOfMemoryError.
        long buffers = 2L * connections * size;
        long heap = Runtime.getRuntime().maxMemory();
        if (buffers > heap / 2) {
            throw new ParameterException(spec.commandLine(), String.format(Locale.ROOT,
                    "--connections %d and --size %d need %d MiB of buffers, more than half of this JVM's %d MiB heap",
                    connections, size, buffers >> 20, heap >> 20));
        }
    }

    private List<InetSocketAddress> resolve(KyotoRuntime rt, Async<List<InetSocketAddress>> lookup) throws Exception {
        try {
            return rt.blockOn(lookup);
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "--target " + target + " cannot be resolved: " + Failures.describe(e), e);
        }
    }

    /** The addresses, if every one is a loopback address with a real port. */
    private List<InetSocketAddress> loopbackOnly(List<InetSocketAddress> addresses) {
        for (InetSocketAddress a : addresses) {
            if (!a.getAddress().isLoopbackAddress()) {
                throw new ParameterException(spec.commandLine(), "--target " + target + " is not a loopback address (it is "
                        + a.getAddress().getHostAddress() + "): kyoto bench only measures servers on this machine (127.0.0.0/8 or ::1)");
            }
            if (a.getPort() == 0) {
                throw new ParameterException(spec.commandLine(), "--target " + target + " has port 0, which no server listens on");
            }
        }
        return addresses;
    }

    /**
     * One connection: the stream the client talks through, and whether it ends with TLS's closing
     * exchange.
     */
    private record Connection<S extends AsyncRead & AsyncWrite & AutoCloseable>(S stream, boolean tls) {
        BenchClient<S> client(int size, MeasurementWindow window, LatencyHistogram latencies, LongAdder roundTrips) {
            return new BenchClient<>(stream, tls, size, window, latencies, roundTrips);
        }

        void closeQuietly() {
            try {
                stream.close();
            } catch (Exception e) {
                // The run has failed already: that is what is reported.
            }
        }
    }

    /**
     * Opens every connection, and with TLS does every handshake, before the clock starts; null
     * (after reporting) if one fails.
     */
    private List<Connection<?>> connectAll(KyotoRuntime rt, List<InetSocketAddress> addresses, TlsConnector tls,
            String serverName, PrintWriter err) throws Exception {
        // A group: the attempts' failures are its to report, each joined once, never logged as unhandled.
        TaskGroup<Connection<?>> connecting = rt.blockOn(Async.defer(() -> Async.ready(TaskGroup.<Connection<?>>open())));
        for (int i = 0; i < connections; i++) {
            connecting.spawn(TcpStream.connect(addresses).then(s -> {
                // Without it, Nagle's algorithm holds back small messages while a reply is awaited.
                s.setNoDelay(true);
                if (tls == null) {
                    return Async.ready(new Connection<>(s, false));
                }
                // On failure, timeout included, the handshake has closed the socket.
                return Time.timeout(HANDSHAKE_TIMEOUT, tls.connect(serverName, s))
                        .<Connection<?>>map(t -> new Connection<>(t, true));
            }));
        }
        List<Connection<?>> streams = new ArrayList<>(connections);
        Exception failure = null;
        while (connecting.size() > 0) {
            try {
                streams.add(rt.blockOn(connecting.joinNext()));
            } catch (IOException | TimeoutException e) {
                failure = failure == null ? e : failure;
            }
        }
        connecting.close();
        if (failure == null) {
            return streams;
        }
        for (Connection<?> c : streams) {
            c.closeQuietly();
        }
        String address = SocketAddresses.format(addresses.getFirst());
        if (failure instanceof TimeoutException) {
            err.println(NAME + ": no TLS handshake with " + address + " within " + HANDSHAKE_TIMEOUT.toSeconds()
                    + " s: is it a TLS server?");
        } else if (tls != null && failure instanceof javax.net.ssl.SSLException) {
            err.println(NAME + ": " + TlsFailures.describeHandshake(failure));
        } else {
            err.println(NAME + ": cannot connect to " + address + ": " + Failures.describe(failure, address));
        }
        return null;
    }

    private int measure(KyotoRuntime rt, List<Connection<?>> streams, String described, boolean ownServer, PrintWriter err)
            throws Exception {
        // Read before the clients run: they close the connections at the end.
        String reported = described + overTls(streams.getFirst());
        long launchedAt = System.nanoTime();
        long start = launchedAt + warmup.toNanos();
        MeasurementWindow window = new MeasurementWindow(start, start + duration.toNanos());
        LatencyHistogram latencies = new LatencyHistogram();
        LongAdder roundTrips = new LongAdder();
        // A client still waiting for a reply GRACE after the end is abandoned, so that a target
        // that stopped answering cannot hang the run.
        Duration limit = warmup.plus(duration).plus(GRACE);
        List<JoinHandle<Void>> clients = new ArrayList<>(streams.size());
        for (Connection<?> c : streams) {
            clients.add(rt.spawn(Time.timeout(limit, c.client(size, window, latencies, roundTrips))));
        }
        // The runtime's counters from the window's start: a reading taken then, by a task.
        JoinHandle<MetricsLine> counters = rt.spawn(Time.sleep(warmup).map(v -> new MetricsLine(rt.metrics())));
        ProgressLine progress = terminal ? new ProgressLine(spec.commandLine().getOut(), launchedAt, window, roundTrips) : null;
        JoinHandle<Void> drawing = progress != null ? rt.spawn(progress.draw()) : null;
        Exception failure = null;
        int abandoned = 0;
        try {
            for (JoinHandle<Void> client : clients) {
                try {
                    rt.blockOn(client);
                } catch (TimeoutException e) {
                    abandoned++;
                } catch (Exception e) {
                    failure = failure == null ? e : failure;
                }
            }
        } finally {
            if (drawing != null) {
                drawing.abort();
                try {
                    rt.blockOn(drawing);
                } catch (CancellationException e) {
                    // Aborted, as asked: it draws no more, so the line can be erased.
                }
                progress.erase();
            }
        }
        if (failure != null) {
            err.println(NAME + ": a connection to " + described + " failed: " + Failures.describe(failure));
            return ExitCode.SOFTWARE;
        }
        if (abandoned > 0) {
            err.println(NAME + ": " + abandoned + " of " + clients.size() + " connections got no reply within "
                    + GRACE.toSeconds() + " s after the end; is " + described + " an echo server?");
            return ExitCode.SOFTWARE;
        }
        new BenchReport(reported, runtime.describe(), connections, size, warmup.toNanos() / 1e9,
                window, latencies)
                .print(spec.commandLine().getOut());
        // Clients and, without --target, the echo server share this runtime: its counters are theirs together.
        spec.commandLine().getOut().println("this runtime during the measurement"
                + (ownServer ? " (clients and server)" : " (clients)") + ", "
                + rt.blockOn(counters).next());
        return ExitCode.OK;
    }

    /** {@code  over TLS (TLSv1.3, TLS_AES_256_GCM_SHA384; handshakes not timed)}, or nothing for plain TCP. */
    private static String overTls(Connection<?> c) {
        if (!(c.stream() instanceof TlsStream<?> tls)) {
            return "";
        }
        return " over TLS (" + tls.session().getProtocol() + ", " + tls.session().getCipherSuite() + "; handshakes not timed)";
    }

    /**
     * Whether the console is a terminal. Since JDK 22 a console may exist for redirected streams
     * too (with {@code -Djdk.console=jdk.internal.le}), so its presence alone is not enough.
     */
    private static boolean isTerminal(Console console) {
        return console != null && console.isTerminal();
    }
}
