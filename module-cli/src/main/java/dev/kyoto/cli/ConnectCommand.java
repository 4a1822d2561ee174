package dev.kyoto.cli;

import dev.kyoto.net.SocketAddresses;
import dev.kyoto.net.TcpStream;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Handle;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
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
            "Connects to a TCP server, then copies standard input to it and its replies to standard output.",
            "Prints the address that answered and the connect time (including name resolution) to standard error. "
                    + "Ends when the server closes the connection; end of standard input half-closes it."
        })
final class ConnectCommand implements Callable<Integer> {
    private static final int CHUNK = 16 * 1024;

    @Spec
    private CommandSpec spec;

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
        KyotoRuntime rt = KyotoRuntime.builder().currentThread().enableAll().build();
        try {
            long start = System.nanoTime();
            TcpStream stream;
            try {
                stream = rt.blockOn(connecting);
            } catch (IOException e) {
                err.println("kyoto connect: cannot connect to " + target + ": " + Failures.describe(e, target));
                return ExitCode.SOFTWARE;
            }
            long elapsed = System.nanoTime() - start;
            try (stream) {
                err.println(String.format(Locale.ROOT, "connected to %s in %.2f ms",
                        SocketAddresses.format(stream.peerAddress()), elapsed / 1e6));
                return relay(rt, stream, err);
            }
        } finally {
            // A read of standard input may be blocked for good on a pool thread (the server closed
            // first); those threads are daemons, so do not wait for them.
            rt.shutdownTimeout(Duration.ZERO);
        }
    }

    private int relay(KyotoRuntime rt, TcpStream stream, PrintWriter err) throws Exception {
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
            err.println("kyoto connect: " + e.getMessage() + ": " + Failures.describe(e.getCause()));
        } catch (IOException e) {
            err.println("kyoto connect: connection to " + target + " failed: " + Failures.describe(e));
        }
        return ExitCode.SOFTWARE;
    }

    /** Standard input to the socket; at end of input, half-closes so the server sees end of stream. */
    private Async<Void> upload(Handle handle, TcpStream stream, byte[] chunk) {
        return handle.spawnBlocking(() -> readInput(chunk)).then(n -> {
            if (n < 0) {
                stream.shutdownOutput();
                return Async.ready(null);
            }
            return stream.writeAll(ByteBuffer.wrap(chunk, 0, n)).then(v -> upload(handle, stream, chunk));
        });
    }

    /** The socket to standard output, until the server's end of stream. */
    private Async<Void> download(TcpStream stream, ByteBuffer buffer) {
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
