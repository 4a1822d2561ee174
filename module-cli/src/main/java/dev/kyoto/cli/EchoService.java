package dev.kyoto.cli;

import dev.kyoto.io.BufferPool;
import dev.kyoto.io.Io;
import dev.kyoto.net.AcceptBackoff;
import dev.kyoto.net.SocketAddresses;
import dev.kyoto.net.TcpListener;
import dev.kyoto.net.TcpStream;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Handle;
import dev.kyoto.runtime.ThrowingFunction;
import dev.kyoto.runtime.task.CancellationToken;
import dev.kyoto.runtime.task.TaskTracker;
import dev.kyoto.runtime.time.Time;
import dev.kyoto.tls.TlsAcceptor;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The echo server's work, shared by {@code kyoto echo-server} and the server {@code kyoto bench}
 * runs for itself: accept connections and give each, on its own task, its bytes back; over TLS
 * if the service has a {@link TlsAcceptor}.
 */
final class EchoService {
    private final PrintWriter err;
    private final String name;
    private final BufferPool buffers;
    /** The TLS server side every connection goes through first; null for plain TCP. */
    private final TlsAcceptor tls;
    /** How long a client has to finish its TLS handshake before its connection is closed. */
    private final Duration handshakeTimeout;

    /**
     * @param err where a failed connection and the shutdown are reported, one line each
     * @param name the command that reports, for example {@code kyoto echo-server}
     * @param tls the TLS server side, or null to echo plain TCP
     * @param handshakeTimeout how long a TLS client has to finish its handshake
     */
    EchoService(PrintWriter err, String name, TlsAcceptor tls, Duration handshakeTimeout) {
        this(err, name, BufferPool.shared(), tls, handshakeTimeout);
    }

    /**
     * @param err where a failed connection and the shutdown are reported, one line each
     * @param name the command that reports, for example {@code kyoto echo-server}
     * @param buffers where each connection's reads land, borrowed for the read and given back once
     *     the bytes are written back
     * @param tls the TLS server side, or null to echo plain TCP
     * @param handshakeTimeout how long a TLS client has to finish its handshake
     */
    EchoService(PrintWriter err, String name, BufferPool buffers, TlsAcceptor tls, Duration handshakeTimeout) {
        this.err = err;
        this.name = name;
        this.buffers = buffers;
        this.tls = tls;
        this.handshakeTimeout = handshakeTimeout;
    }

    /**
     * Accepts forever; completes only by failing, when the listener is closed or the runtime
     * shuts down. A failure that leaves the listener usable (the process out of descriptors, say)
     * is a rate-limited warning and a pause ({@link AcceptBackoff}), and the loop goes on.
     */
    Async<Void> acceptLoop(TcpListener listener) {
        AcceptFailureLog log = failureLog(listener);
        return acceptLoop(listener, new AcceptBackoff(log), log,
                stream -> Handle.current().spawn("connection from " + peer(stream), serve(stream)));
    }

    /**
     * Serves as {@link #acceptLoop(TcpListener)} does until {@code stop} is cancelled, then shuts
     * down gracefully and completes:
     * <ol>
     *   <li>closes the listener at once, so new connections are refused;</li>
     *   <li>lets the open connections go on until their clients close them, for up to
     *       {@code grace} (not at all if it is zero);</li>
     *   <li>aborts the ones still open then, which closes their sockets;</li>
     * </ol>
     * saying on standard error what it does. The connections are counted by a
     * {@link TaskTracker} and aborted through a {@link CancellationToken}.
     */
    Async<Void> serveUntil(TcpListener listener, CancellationToken stop, Duration grace) {
        AcceptFailureLog log = failureLog(listener);
        TaskTracker connections = new TaskTracker();
        CancellationToken abort = new CancellationToken();
        AtomicInteger aborted = new AtomicInteger();
        // The token comes first in each race: a stop is seen even while the work keeps busy.
        Async<Void> accepting = acceptLoop(listener, new AcceptBackoff(log), log,
                stream -> connections.spawn("connection from " + peer(stream),
                        Async.race(abort.cancelled().map(v -> {
                            aborted.incrementAndGet();
                            return null;
                        }), serve(stream))));
        return Async.race(stop.cancelled(), accepting).then(v -> {
            listener.close();
            connections.close();
            // The JDK closes a registered socket's descriptor at the selector's next turn, and
            // until then the kernel still takes connections into the backlog. A yield is woken
            // after the runtime next polls its driver: on a current-thread runtime, that turn; on
            // a multi-thread one the close has already woken the worker that turns it.
            return Async.yieldNow().then(w -> drain(connections, grace, abort, aborted));
        });
    }

    private Async<Void> drain(TaskTracker connections, Duration grace, CancellationToken abort, AtomicInteger aborted) {
        int open = connections.size();
        if (open == 0) {
            say("shutting down: no connections open");
            return Async.ready(null);
        }
        if (grace.isZero()) {
            say("shutting down: " + connections(open) + " open, closing them now (--grace 0)");
            return abortRest(connections, abort, aborted);
        }
        say("shutting down: " + connections(open) + " open, waiting up to " + describe(grace));
        return Time.timeout(grace, connections.drained())
                .map(v -> true)
                .recover(failure -> {
                    if (failure instanceof TimeoutException) {
                        return false;
                    }
                    throw failure;
                })
                .then(inTime -> {
                    if (inTime) {
                        say("every connection closed in time");
                        return Async.ready(null);
                    }
                    return abortRest(connections, abort, aborted);
                });
    }

    /** Aborts the connections still open and waits for them to have closed their sockets. */
    private Async<Void> abortRest(TaskTracker connections, CancellationToken abort, AtomicInteger aborted) {
        abort.cancel();
        return connections.drained().map(v -> {
            int n = aborted.get();
            say(connections(n) + " aborted after the grace period");
            return null;
        });
    }

    private void say(String what) {
        err.println(name + ": " + what);
        err.flush();
    }

    private static String connections(int n) {
        return n + (n == 1 ? " connection" : " connections");
    }

    /** {@code 10 min}, {@code 10 s}, {@code 500 ms}: the largest unit that is whole; milliseconds rounded up. */
    static String describe(Duration d) {
        long nanos = d.toNanos();
        if (nanos % 60_000_000_000L == 0) {
            return nanos / 60_000_000_000L + " min";
        }
        if (nanos % 1_000_000_000L == 0) {
            return nanos / 1_000_000_000L + " s";
        }
        return (nanos + 999_999) / 1_000_000 + " ms";
    }

    private AcceptFailureLog failureLog(TcpListener listener) {
        return new AcceptFailureLog(err, name, SocketAddresses.format(listener.localAddress()), System::nanoTime);
    }

    private Async<Void> acceptLoop(TcpListener listener, AcceptBackoff backoff, AcceptFailureLog log,
            ThrowingFunction<TcpStream, ?> start) {
        return Async.loop(() -> backoff.accept(listener).map(stream -> {
            log.accepted();
            start.apply(stream);
            return true;
        }));
    }

    /**
     * Echoes one connection, owning its socket: README.md's echo, a copy of the socket into
     * itself, which holds a buffer only from a read until its bytes are written back (none while
     * the client is quiet). The socket is closed however the echo ends, at the
     * client's end of stream, on a failure (a reset, say: reported, and it ends only that
     * connection, never the server), or cancelled (aborted at the end of a shutdown's grace
     * period, or by the runtime's shutdown).
     *
     * <p>Over TLS the copy runs on the {@link dev.kyoto.tls.TlsStream} once the handshake is done
     * (within the handshake timeout), and a clean end is answered with {@code close_notify}
     * ({@code shutdown()}) before the socket closes. A failed or timed-out handshake is one more
     * failed connection: {@link TlsAcceptor#accept} has closed the socket. Every connection gets
     * {@code TCP_NODELAY}.
     */
    private Async<Void> serve(TcpStream stream) {
        String peer = peer(stream);
        try {
            // As Netty and Redis do: an echo's reply must not wait for the peer's delayed ACK
            // when it leaves in two writes (a message read in two parts, TLS records).
            stream.setNoDelay(true);
        } catch (IOException e) {
            // A socket that cannot take the option is already failing; the echo reports that.
        }
        Async<?> echo = tls == null
                ? Async.using(stream, s -> Io.copy(s, s, buffers))
                : Time.timeout(handshakeTimeout, tls.accept(stream))
                        .then(t -> Async.using(t, s -> Io.copy(s, s, buffers).then(copied -> s.shutdown())));
        return echo.<Void>map(done -> null).recover(failure -> {
            err.println(name + ": connection from " + peer + " failed: " + describe(failure));
            return null;
        });
    }

    private String describe(Throwable failure) {
        if (failure instanceof TimeoutException) {
            return "no TLS handshake within " + describe(handshakeTimeout);
        }
        return Failures.describe(failure);
    }

    private static String peer(TcpStream stream) {
        return SocketAddresses.format(stream.peerAddress());
    }
}
