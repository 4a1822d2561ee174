package dev.kyoto.cli;

import dev.kyoto.io.AsyncRead;
import dev.kyoto.io.AsyncWrite;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * One connection of {@code kyoto bench}: sends a message, waits until all of it has come back,
 * and repeats until the measurement window closes; then closes the connection.
 *
 * <p>Written by hand rather than with {@code then} so that the client costs as little as possible
 * next to the server it measures: a round trip allocates nothing. Sending and receiving are polled
 * together, so a message larger than the socket buffers cannot deadlock against an echo server
 * that writes back while it still reads. Each reply is compared with the message, so a target
 * that is not an echo server fails the run instead of producing numbers.
 *
 * <p>Over TLS the connection is already through its handshake (which is not timed), each message
 * is flushed once written (a TLS record may otherwise wait in the stream), and at the end the
 * client sends {@code close_notify} and reads until the server's, so that the server sees a
 * clean end rather than a cut connection; that closing exchange is after the window.
 *
 * <p>Polled by one task at a time, so the fields need no synchronization.
 *
 * @param <S> the connection: a {@code TcpStream}, or a {@code TlsStream} over one
 */
final class BenchClient<S extends AsyncRead & AsyncWrite & AutoCloseable> implements Async<Void> {
    private final S stream;
    /** Whether the end is TLS's closing exchange rather than a plain close. */
    private final boolean closeNotify;
    private final ByteBuffer message;
    private final ByteBuffer reply;
    private final MeasurementWindow window;
    private final LatencyHistogram latencies;
    private final LongAdder roundTrips;
    private boolean inFlight;
    /** Whether the message in flight has been flushed, once written. */
    private boolean flushed;
    /** Whether the window is over and the closing exchange has begun. */
    private boolean closing;
    /** Whether this side's close_notify is out. */
    private boolean shutDown;
    private long sentAt;

    /**
     * @param stream the connection, which this client closes when it finishes, fails or is cancelled
     * @param closeNotify whether to end with a TLS closing exchange (shutdown, then read to the
     *     server's end) before closing
     * @param size the message size in bytes
     * @param latencies where round trips inside the window are recorded
     * @param roundTrips counts every completed round trip, warm-up included, for the progress line
     */
    BenchClient(S stream, boolean closeNotify, int size, MeasurementWindow window, LatencyHistogram latencies,
            LongAdder roundTrips) {
        this.stream = stream;
        this.closeNotify = closeNotify;
        byte[] bytes = new byte[size];
        ThreadLocalRandom.current().nextBytes(bytes);
        this.message = ByteBuffer.wrap(bytes);
        this.reply = ByteBuffer.allocate(size);
        this.window = window;
        this.latencies = latencies;
        this.roundTrips = roundTrips;
    }

    @Override
    public Poll<Void> poll(Context cx) throws Exception {
        try {
            if (closing) {
                return pollClosing(cx);
            }
            for (;;) {
                if (!inFlight) {
                    long now = System.nanoTime();
                    if (window.isOver(now)) {
                        if (!closeNotify) {
                            stream.close();
                            return Poll.ready(null);
                        }
                        closing = true;
                        reply.clear();
                        return pollClosing(cx);
                    }
                    message.clear();
                    reply.clear();
                    sentAt = now;
                    inFlight = true;
                    flushed = false;
                }
                while (message.hasRemaining() && !stream.pollWrite(cx, message).isPending()) {
                    // Keep writing while the socket takes bytes; a pending write waits for the read below.
                }
                if (!message.hasRemaining() && !flushed) {
                    // A plain socket's flush is ready at once; a pending one waits with the read below.
                    flushed = stream.pollFlush(cx).isReady();
                }
                while (reply.hasRemaining()) {
                    Poll<Integer> read = stream.pollRead(cx, reply);
                    if (read.isPending()) {
                        return Poll.pending();
                    }
                    if (read.value() < 0) {
                        throw new EOFException("the server closed the connection in the middle of a round trip");
                    }
                }
                long receivedAt = System.nanoTime();
                inFlight = false;
                if (message.hasRemaining() || !reply.flip().equals(message.flip())) {
                    throw new IOException("the reply differs from the message sent: the target is not an echo server");
                }
                roundTrips.increment();
                if (window.contains(sentAt, receivedAt)) {
                    latencies.record(receivedAt - sentAt);
                }
            }
        } catch (Exception e) {
            closeQuietly();
            throw e;
        }
    }

    /** Sends the end (close_notify), then reads until the server's own, then closes. */
    private Poll<Void> pollClosing(Context cx) throws Exception {
        if (!shutDown) {
            if (stream.pollShutdown(cx).isPending()) {
                return Poll.pending();
            }
            shutDown = true;
        }
        for (;;) {
            reply.clear();
            Poll<Integer> read = stream.pollRead(cx, reply);
            if (read.isPending()) {
                return Poll.pending();
            }
            if (read.value() < 0) {
                stream.close();
                return Poll.ready(null);
            }
        }
    }

    @Override
    public void cancel() {
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            stream.close();
        } catch (Exception e) {
            // The run has already failed or been abandoned; a close error adds nothing to report.
        }
    }
}
