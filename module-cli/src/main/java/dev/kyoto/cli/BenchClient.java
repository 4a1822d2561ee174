package dev.kyoto.cli;

import dev.kyoto.net.TcpStream;
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
 */
final class BenchClient implements Async<Void> {
    private final TcpStream stream;
    private final ByteBuffer message;
    private final ByteBuffer reply;
    private final MeasurementWindow window;
    private final LatencyHistogram latencies;
    private final LongAdder roundTrips;
    private boolean inFlight;
    private long sentAt;

    /**
     * @param stream the connection, which this client closes when it finishes, fails or is cancelled
     * @param size the message size in bytes
     * @param latencies where round trips inside the window are recorded
     * @param roundTrips counts every completed round trip, warm-up included, for the progress line
     */
    BenchClient(TcpStream stream, int size, MeasurementWindow window, LatencyHistogram latencies, LongAdder roundTrips) {
        this.stream = stream;
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
            for (;;) {
                if (!inFlight) {
                    long now = System.nanoTime();
                    if (window.isOver(now)) {
                        stream.close();
                        return Poll.ready(null);
                    }
                    message.clear();
                    reply.clear();
                    sentAt = now;
                    inFlight = true;
                }
                while (message.hasRemaining() && !stream.pollWrite(cx, message).isPending()) {
                    // Keep writing while the socket takes bytes; a pending write waits for the read below.
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

    @Override
    public void cancel() {
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            stream.close();
        } catch (IOException e) {
            // The run has already failed or been abandoned; a close error adds nothing to report.
        }
    }
}
