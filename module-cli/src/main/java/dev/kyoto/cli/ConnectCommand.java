package dev.kyoto.cli;

import dev.kyoto.io.AsyncRead;
import dev.kyoto.io.AsyncWrite;
import dev.kyoto.net.SocketAddresses;
import dev.kyoto.net.TcpStream;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Handle;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.time.Time;
import dev.kyoto.tls.TlsConnector;
import dev.kyoto.tls.TlsStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kyoto connect HOST:PORT}: a netcat-style client. It connects, reports which address
 * answered and how long that took, then relays standard input to the socket and the socket to
 * standard output until the socket reaches end of stream.
 *
 * <p>The two directions run at once, so a peer that answers while input is still arriving (an
 * echo server fed a large file) never deadlocks the relay. Reading standard input can block
 * indefinitely, so it runs on the runtime's blocking pool; writes to standard output are short and
 * made on the task itself, where a slow reader of the output simply slows the relay down.
 */
@Command(
        name = "connect",
        mixinStandardHelpOptions = true,
        description = {
            "Connects to a TCP server, then copies standard input to it and its replies to standard output; over TLS "
                    + "with --tls.",
            "Prints the address that answered and the connect time (including name resolution) to standard error, and "
                    + "with --tls the handshake's time, protocol and cipher suite. "
                    + "Ends when the server closes the connection; end of standard input half-closes it."
        })
final class ConnectCommand implements Callable<Integer> {
    private static final String NAME = "kyoto connect";
    private static final int CHUNK = 16 * 1024;
    /** How long the server has to finish the TLS handshake, so that a server that never answers cannot hang the tool. */
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    @Spec
    private CommandSpec spec;

    @Mixin
    private TlsClientOptions tlsOptions;

    @Parameters(paramLabel = "HOST:PORT", description = "The server, for example 127.0.0.1:7000, [::1]:7000 or localhost:7000.")
    private String target;

    private final InputStream in;
    private final OutputStream out;

    /** Relays the process's own standard streams; picocli uses this constructor. */
    ConnectCommand() {
        // The raw descriptor rather than System.out: a PrintStream swallows write errors, and a
        // closed pipe downstream (kyoto connect … | head) must end the relay.
        this(System.in, new FileOutputStream(FileDescriptor.out));
    }

    /** Relays {@code in} to the server and the server's bytes to {@code out}. */
    ConnectCommand(InputStream in, OutputStream out) {
        this.in = in;
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        Async<TcpStream> connecting;
        try {
            connecting = TcpStream.connect(target);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        PrintWriter err = spec.commandLine().getErr();
        TlsConnector tls = tlsOptions.connector(err, NAME);
        KyotoRuntime rt = KyotoRuntime.builder().currentThread().enableAll().build();
        try {
            long start = System.nanoTime();
            TcpStream stream;
            try {
                stream = rt.blockOn(connecting);
            } catch (IOException e) {
                err.println(NAME + ": cannot connect to " + target + ": " + Failures.describe(e, target));
                return ExitCode.SOFTWARE;
            }
            long elapsed = System.nanoTime() - start;
            err.println(String.format(Locale.ROOT, "connected to %s in %.2f ms",
                    SocketAddresses.format(stream.peerAddress()), elapsed / 1e6));
            if (tls == null) {
                try (stream) {
                    return relay(rt, stream, err);
                }
            }
            String serverName = tlsOptions.serverName(host(target));
            long handshakeStart = System.nanoTime();
            TlsStream<TcpStream> secured;
            try {
                // On failure, timeout included, the handshake has closed the socket.
                secured = rt.blockOn(Time.timeout(HANDSHAKE_TIMEOUT, tls.connect(serverName, stream)));
            } catch (TimeoutException e) {
                err.println(NAME + ": no TLS handshake with " + target + " within " + HANDSHAKE_TIMEOUT.toSeconds()
                        + " s: is it a TLS server?");
                return ExitCode.SOFTWARE;
            } catch (IOException e) {
                err.println(NAME + ": " + TlsFailures.describeHandshake(e));
                return ExitCode.SOFTWARE;
            }
            try (secured) {
                err.println(String.format(Locale.ROOT, "TLS handshake with %s done in %.2f ms: %s, %s", serverName,
                        (System.nanoTime() - handshakeStart) / 1e6, secured.session().getProtocol(),
                        secured.session().getCipherSuite()));
                err.flush();
                return relay(rt, secured, err);
            }
        } finally {
            // A read of standard input may be blocked for good on a pool thread (the server closed
            // first); those threads are daemons, so do not wait for them.
            rt.shutdownTimeout(Duration.ZERO);
        }
    }

    /** The host of {@code HOST:PORT} or {@code [V6]:PORT}, which TcpStream.connect has already accepted. */
    static String host(String hostAndPort) {
        String host = hostAndPort.substring(0, hostAndPort.lastIndexOf(':'));
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private <S extends AsyncRead & AsyncWrite> int relay(KyotoRuntime rt, S stream, PrintWriter err) throws Exception {
        Handle handle = rt.handle();
        JoinHandle<Void> upload = rt.spawn(upload(handle, stream, new byte[CHUNK]));
        try {
            rt.blockOn(download(stream, ByteBuffer.allocate(CHUNK)));
            // An upload that already failed lost data the user meant to send; one that is still
            // waiting for input is simply no longer needed.
            if (upload.isFinished()) {
                rt.blockOn(upload);
            } else {
                upload.abort();
            }
            return ExitCode.OK;
        } catch (UncheckedIOException e) {
            err.println(NAME + ": " + e.getMessage() + ": " + Failures.describe(e.getCause()));
        } catch (IOException e) {
            err.println(NAME + ": connection to " + target + " failed: " + Failures.describe(e));
        }
        return ExitCode.SOFTWARE;
    }

    /**
     * Standard input to the stream, each chunk flushed; at end of input, shuts the stream's output
     * down (TLS's close_notify, then TCP's half-close) so the server sees end of stream.
     */
    private <S extends AsyncRead & AsyncWrite> Async<Void> upload(Handle handle, S stream, byte[] chunk) {
        return handle.spawnBlocking(() -> readInput(chunk)).then(n -> {
            if (n < 0) {
                return stream.shutdown();
            }
            return stream.writeAll(ByteBuffer.wrap(chunk, 0, n))
                    .then(v -> stream.flush())
                    .then(v -> upload(handle, stream, chunk));
        });
    }

    /** The stream to standard output, until the server's end of stream. */
    private Async<Void> download(AsyncRead stream, ByteBuffer buffer) {
        buffer.clear();
        return stream.read(buffer).then(n -> {
            if (n < 0) {
                return Async.ready(null);
            }
            writeOutput(buffer.array(), n);
            return download(stream, buffer);
        });
    }

    // Standard-stream failures are wrapped unchecked so that relay() reports them as such, not as
    // a failure of the connection; thrown from a poll, they fail the relay like any other error.

    private int readInput(byte[] chunk) {
        try {
            return in.read(chunk);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read standard input", e);
        }
    }

    private void writeOutput(byte[] bytes, int length) {
        try {
            out.write(bytes, 0, length);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to standard output", e);
        }
    }
}
