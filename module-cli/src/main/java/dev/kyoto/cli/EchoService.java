package dev.kyoto.cli;

import dev.kyoto.net.AcceptBackoff;
import dev.kyoto.net.TcpListener;
import dev.kyoto.net.TcpStream;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Handle;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;

/**
 * The echo server's work, shared by {@code kyoto echo-server} and the server {@code kyoto bench}
 * runs for itself: accept connections forever and give each, on its own task, its bytes back.
 */
final class EchoService {
    private static final int BUFFER_SIZE = 16 * 1024;

    private final PrintWriter err;
    private final String name;

    /**
     * @param err where a failed connection is reported, one line each
     * @param name the command that reports, for example {@code kyoto echo-server}
     */
    EchoService(PrintWriter err, String name) {
        this.err = err;
        this.name = name;
    }

    /**
     * Accepts forever; completes only by failing, when the listener is closed or the runtime
     * shuts down. A failure that leaves the listener usable (the process out of descriptors, say)
     * is a rate-limited warning and a pause ({@link AcceptBackoff}), and the loop goes on.
     */
    Async<Void> acceptLoop(TcpListener listener) throws IOException {
        AcceptFailureLog log = new AcceptFailureLog(err, name, SocketAddresses.hostAndPort(listener.localAddress()),
                System::nanoTime);
        return acceptLoop(listener, new AcceptBackoff(log), log);
    }

    private Async<Void> acceptLoop(TcpListener listener, AcceptBackoff backoff, AcceptFailureLog log) {
        return backoff.accept(listener).then(stream -> {
            log.accepted();
            Handle.current().spawn(serve(stream));
            return acceptLoop(listener, backoff, log);
        });
    }

    /**
     * Echoes one connection and closes it. A connection's failure (a reset, say) is reported and
     * ends only that connection, never the server.
     */
    private Async<Void> serve(TcpStream stream) {
        return echo(stream, ByteBuffer.allocate(BUFFER_SIZE))
                .recover(failure -> {
                    err.println(name + ": connection from " + peer(stream) + " failed: " + Failures.describe(failure));
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
