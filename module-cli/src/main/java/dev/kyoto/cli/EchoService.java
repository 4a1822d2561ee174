package dev.kyoto.cli;

import dev.kyoto.io.AsyncRead;
import dev.kyoto.io.AsyncWrite;
import dev.kyoto.io.BufferPool;
import dev.kyoto.io.Io;
import dev.kyoto.net.AcceptBackoff;
import dev.kyoto.net.SocketAddresses;
import dev.kyoto.net.TcpListener;
import dev.kyoto.net.TcpStream;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Handle;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.ThrowingFunction;
import dev.kyoto.runtime.task.CancellationToken;
import dev.kyoto.runtime.task.TaskTracker;
import dev.kyoto.runtime.time.Time;
import dev.kyoto.tls.TlsAcceptor;
import dev.kyoto.tls.TlsStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The echo server's work, shared by {@code kyoto echo-server} and the server {@code kyoto bench}
 * runs for itself: accept connections and give each, on its own task, its bytes back; over TLS
 * if the service has a {@link TlsAcceptor}. With {@code virtualThreads} each connection is served
 * by a virtual task instead ({@code spawnVirtual}), in straight-line code: README.md's second
 * echo server, a loop of {@code read(buffer).await()} and {@code writeAll(buffer).await()}.
 */
final class EchoService {
    private final PrintWriter err;
    private final String name;
    private final BufferPool buffers;
    /** The TLS server side every connection goes through first; null for plain TCP. */
    private final TlsAcceptor tls;
    /** How long a client has to finish its TLS handshake before its connection is closed. */
    private final Duration handshakeTimeout;
    /** Whether each connection runs on a virtual thread of its own rather than as a task. */
    private final boolean virtualThreads;

    /**
     * @param err where a failed connection and the shutdown are reported, one line each
     * @param name the command that reports, for example {@code kyoto echo-server}
     * @param tls the TLS server side, or null to echo plain TCP
     * @param handshakeTimeout how long a TLS client has to finish its handshake
     */
    EchoService(PrintWriter err, String name, TlsAcceptor tls, Duration handshakeTimeout) {
        this(err, name, BufferPool.shared(), tls, handshakeTimeout, false);
    }

    /**
     * @param err where a failed connection and the shutdown are reported, one line each
     * @param name the command that reports, for example {@code kyoto echo-server}
     * @param buffers where each connection's reads land, borrowed for the read and given back once
     *     the bytes are written back
     * @param tls the TLS server side, or null to echo plain TCP
     * @param handshakeTimeout how long a TLS client has to finish its handshake
     * @param virtualThreads whether each connection is served on a virtual thread of its own, in
     *     straight-line code, rather than by a task
     */
    EchoService(PrintWriter err, String name, BufferPool buffers, TlsAcceptor tls, Duration handshakeTimeout,
            boolean virtualThreads) {
        this.err = err;
        this.name = name;
        this.buffers = buffers;
        this.tls = tls;
        this.handshakeTimeout = handshakeTimeout;
        this.virtualThreads = virtualThreads;
    }

    /**
     * Accepts forever; completes only by failing, when the listener is closed or the runtime
     * shuts down. A failure that leaves the listener usable (the process out of descriptors, say)
     * is a rate-limited warning and a pause ({@link AcceptBackoff}), and the loop goes on.
     */
    Async<Void> acceptLoop(TcpListener listener) {
        AcceptFailureLog log = failureLog(listener);
        return acceptLoop(listener, new AcceptBackoff(log), log, stream -> virtualThreads
                ? Handle.current().spawnVirtual("connection from " + peer(stream), () -> serveOnVirtualThread(stream))
                : Handle.current().spawn("connection from " + peer(stream), serve(stream)));
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
        Async<Void> accepting = acceptLoop(listener, new AcceptBackoff(log), log, stream -> {
            String connection = "connection from " + peer(stream);
            if (!virtualThreads) {
                return connections.spawn(connection, Async.race(abort.cancelled().map(v -> {
                    aborted.incrementAndGet();
                    return null;
                }), serve(stream)));
            }
            // A virtual task is stopped by aborting it, and counted until its body has ended.
            JoinHandle<Void> body = Handle.current().spawnVirtual(connection, () -> serveOnVirtualThread(stream));
            return connections.spawn(connection, Async.race(abort.cancelled().then(v -> {
                aborted.incrementAndGet();
                body.abort();
                return body.recover(CancellationException.class, e -> null);
            }), body));
        });
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

    /**
     * {@link #serve} in straight-line code, for a virtual task: the same socket option, TLS
     * handshake and timeout, and one line for a failed connection, with the echo a plain loop.
     * The socket is closed however the body ends, an abort included.
     */
    private Void serveOnVirtualThread(TcpStream stream) {
        String peer = peer(stream);
        try (stream) {
            stream.setNoDelay(true);
            if (tls == null) {
                echo(stream);
            } else {
                try (TlsStream t = Time.timeout(handshakeTimeout, tls.accept(stream)).await()) {
                    echo(t);
                    t.shutdown().await();
                }
            }
        } catch (CancellationException | InterruptedException e) {
            // Aborted: at the end of a shutdown's grace period, or by the runtime's shutdown.
        } catch (Exception failure) {
            err.println(name + ": connection from " + peer + " failed: " + describe(failure));
        }
        return null;
    }

    /**
     * README.md's echo on a virtual thread: read into the buffer, write it all back, until the
     * end of stream. The buffer is the connection's own for its life, borrowed from the pool.
     */
    private <S extends AsyncRead & AsyncWrite> void echo(S stream) throws Exception {
        ByteBuffer buffer = buffers.acquire();
        try {
            while (stream.read(buffer).await() >= 0) {
                stream.writeAll(buffer.flip()).await();
                buffer.clear();
            }
        } finally {
            buffers.release(buffer);
        }
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
