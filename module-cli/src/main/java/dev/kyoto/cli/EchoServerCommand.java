package dev.kyoto.cli;

import dev.kyoto.net.TcpListener;
import dev.kyoto.net.TcpStream;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Handle;
import dev.kyoto.runtime.KyotoRuntime;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code kyoto echo-server}: a TCP server that sends every connection's bytes straight back,
 * for trying out clients and measuring round trips. Each connection is served by its own task on
 * one current-thread runtime; the server runs until the process is killed.
 *
 * <p>The first line on standard output is {@code listening on HOST:PORT} with the bound address,
 * so that scripts and tests started with port 0 learn the port the system picked.
 */
@Command(
        name = "echo-server",
        mixinStandardHelpOptions = true,
        description = {
            "Runs a TCP echo server: every connection gets its own bytes back.",
            "Prints 'listening on HOST:PORT' as its first line, then serves until it is killed."
        })
final class EchoServerCommand implements Callable<Integer> {
    private static final int BUFFER_SIZE = 16 * 1024;

    @Spec
    private CommandSpec spec;

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "127.0.0.1:7000",
            description = "The address to listen on, HOST:PORT; port 0 picks a free port (default: ${DEFAULT-VALUE}).")
    private String bind;

    @Override
    public Integer call() throws Exception {
        Async<TcpListener> binding;
        try {
            binding = TcpListener.bind(bind);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        PrintWriter err = spec.commandLine().getErr();
        try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().enableAll().build()) {
            TcpListener listener;
            try {
                listener = rt.blockOn(binding);
            } catch (IOException e) {
                err.println("kyoto echo-server: cannot listen on " + bind + ": " + Failures.describe(e));
                return ExitCode.SOFTWARE;
            }
            try (listener) {
                PrintWriter out = spec.commandLine().getOut();
                out.println("listening on " + SocketAddresses.hostAndPort(listener.localAddress()));
                // Whoever waits for this line may be reading a pipe; it must not sit in a buffer.
                out.flush();
                rt.blockOn(acceptLoop(listener, err));
            } catch (IOException e) {
                err.println("kyoto echo-server: cannot accept connections on " + bind + ": " + Failures.describe(e));
            }
            return ExitCode.SOFTWARE;
        }
    }

    /** Accepts forever; completes only by failing, when the listening socket does. */
    private static Async<Void> acceptLoop(TcpListener listener, PrintWriter err) {
        return listener.accept().then(stream -> {
            Handle.current().spawn(serve(stream, err));
            return acceptLoop(listener, err);
        });
    }

    /**
     * Echoes one connection and closes it. A connection's failure (a reset, say) is reported and
     * ends only that connection, never the server.
     */
    private static Async<Void> serve(TcpStream stream, PrintWriter err) {
        return echo(stream, ByteBuffer.allocate(BUFFER_SIZE))
                .recover(failure -> {
                    err.println("kyoto echo-server: connection from " + peer(stream) + " failed: " + Failures.describe(failure));
                    return null;
                })
                .then(v -> {
                    stream.close();
                    return Async.ready(null);
                });
    }

    private static Async<Void> echo(TcpStream stream, ByteBuffer buffer) {
        buffer.clear();
        return stream.read(buffer).then(n -> {
            if (n < 0) {
                return Async.ready(null);
            }
            buffer.flip();
            return stream.writeAll(buffer).then(v -> echo(stream, buffer));
        });
    }

    private static String peer(TcpStream stream) {
        try {
            return SocketAddresses.hostAndPort(stream.peerAddress());
        } catch (IOException e) {
            return "an unknown peer";
        }
    }
}
