package dev.kyoto.examples.echo;

import dev.kyoto.io.Io;
import dev.kyoto.net.AcceptBackoff;
import dev.kyoto.net.SocketAddresses;
import dev.kyoto.net.TcpListener;
import dev.kyoto.net.TcpStream;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Handle;
import dev.kyoto.runtime.KyotoRuntime;
import java.io.IOException;
import java.time.Duration;
import java.util.function.BiConsumer;

/**
 * A TCP echo server: every connection gets its own bytes back, each served by its own task on a
 * multi-thread runtime. Prints {@code listening on HOST:PORT} first, so a caller that asked for
 * port 0 learns the port.
 */
public final class Main {
    private Main() {
    }

    /**
     * Serves until the process is killed.
     *
     * @param args the address to listen on, {@code HOST:PORT}; default {@code 127.0.0.1:7000}
     * @throws Exception if the address cannot be bound, or the listener fails for good
     */
    public static void main(String[] args) throws Exception {
        String bind = args.length > 0 ? args[0] : "127.0.0.1:7000";
        try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().enableAll().build();
                TcpListener listener = rt.blockOn(TcpListener.bind(bind))) {
            System.out.println("listening on " + SocketAddresses.format(listener.localAddress()));
            rt.blockOn(acceptLoop(listener, new AcceptBackoff(new AcceptWarnings())));
        }
    }

    /**
     * Accepts until the listener fails for good, spawning a task per connection that owns its
     * socket. A failure that leaves the listener usable (the process out of descriptors, say) does
     * not end it: the back-off warns, pauses and accepts again.
     */
    private static Async<Void> acceptLoop(TcpListener listener, AcceptBackoff backoff) {
        return Async.loop(() -> backoff.accept(listener).map(stream -> {
            Handle.current().spawn("echo " + SocketAddresses.format(stream.peerAddress()), serve(stream));
            return true;
        }));
    }

    /**
     * Warns about accept failures on standard error, at most once every ten seconds: out of
     * descriptors, every accept fails, once per pause of the back-off, for as long as that lasts.
     */
    private static final class AcceptWarnings implements BiConsumer<IOException, Duration> {
        private static final long INTERVAL_NANOS = Duration.ofSeconds(10).toNanos();
        private long lastWarning;
        private long unreported = -1;

        @Override
        public void accept(IOException failure, Duration pause) {
            long now = System.nanoTime();
            if (unreported >= 0 && now - lastWarning < INTERVAL_NANOS) {
                unreported++;
                return;
            }
            System.err.println("warning: cannot accept a connection: " + failure.getMessage()
                    + (unreported > 0 ? " (and " + unreported + " more since the last warning)" : "")
                    + "; retrying in " + pause.toMillis() + " ms");
            lastWarning = now;
            unreported = 0;
        }
    }

    /**
     * Echoes one connection until the client's end of stream, completing with the bytes echoed;
     * the socket is closed when the echo ends in any way (cancellation included); a failure ends
     * only this connection.
     */
    private static Async<Long> serve(TcpStream stream) {
        return Async.using(stream, s -> echo(s)).recover(IOException.class, failure -> {
            System.err.println("connection failed: " + failure);
            return null;
        });
    }

    /**
     * A copy of the socket into itself: each read borrows a pooled direct buffer and gives it
     * back once the bytes are written, so a quiet connection holds no buffer.
     */
    private static Async<Long> echo(TcpStream stream) {
        return Io.copy(stream, stream);
    }
}
