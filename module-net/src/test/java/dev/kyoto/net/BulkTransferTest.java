package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.io.Io;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Megabytes through large direct buffers, the way {@code Io.copy} moves them: on io_uring such
 * reads and writes, once the connection streams, go straight between the socket and the caller's
 * buffer instead of through the driver's chunks; small messages after a stream, the end, a reset
 * and a close while such a read waits must behave as they do on the selector.
 */
class BulkTransferTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final int STREAM = 8 * 1024 * 1024;
    private static final int BUFFER = 256 * 1024;

    @Test
    void aStreamArrivesWholeThenSmallMessagesAreEchoedThenTheEnd() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p = Probe.Pair.open(rt)) {
                CompletableFuture<byte[]> peer = onThread(() -> {
                    OutputStream out = p.peer().getOutputStream();
                    ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
                    for (long sent = 0; sent < STREAM; sent += chunk.capacity()) {
                        chunk.clear();
                        Pattern.fill(chunk, sent);
                        out.write(chunk.array());
                    }
                    DataInputStream in = new DataInputStream(p.peer().getInputStream());
                    byte[] echoed = new byte[10 * 100];
                    for (int i = 0; i < 10; i++) {
                        byte[] message = new byte[100];
                        Arrays.fill(message, (byte) i);
                        out.write(message);
                        in.readFully(echoed, i * 100, 100);
                    }
                    p.peer().shutdownOutput();
                    return echoed;
                });
                ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
                long received = 0;
                int largest = 0;
                while (received < STREAM) {
                    buf.clear().limit((int) Math.min(BUFFER, STREAM - received));
                    int n = rt.blockOn(p.stream().read(buf));
                    assertTrue(n > 0, "the stream ended after " + received + " bytes");
                    buf.flip();
                    Pattern.check(buf, received);
                    received += n;
                    largest = Math.max(largest, n);
                }
                assertTrue(largest > 64 * 1024,
                        "no read took more than a 64 KiB chunk holds, so none went straight into the buffer: largest " + largest);
                for (int i = 0; i < 10; i++) {
                    buf.clear();
                    int n = rt.blockOn(p.stream().read(buf));
                    assertEquals(100, n, "message " + i);
                    buf.flip();
                    rt.blockOn(p.stream().writeAll(buf));
                }
                buf.clear();
                assertEquals(-1, rt.blockOn(p.stream().read(buf)));
                byte[] expected = new byte[1000];
                for (int i = 0; i < 1000; i++) {
                    expected[i] = (byte) (i / 100);
                }
                assertArrayEquals(expected, peer.get());
            }
        });
    }

    @Test
    void aStreamWrittenFromADirectBufferReachesASlowReaderWhole() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p = Probe.Pair.open(rt)) {
                CompletableFuture<Long> peer = onThread(() -> {
                    InputStream in = p.peer().getInputStream();
                    byte[] small = new byte[1000];
                    long read = 0;
                    for (int n; (n = in.read(small)) > 0; read += n) {
                        Pattern.check(ByteBuffer.wrap(small, 0, n), read);
                    }
                    return read;
                });
                ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
                for (long written = 0; written < STREAM; written += BUFFER) {
                    buf.clear();
                    Pattern.fill(buf, written);
                    buf.flip();
                    rt.blockOn(p.stream().writeAll(buf));
                }
                rt.blockOn(p.stream().shutdown());
                assertEquals(STREAM, peer.get());
            }
        });
    }

    /**
     * {@code Io.copy} between two Kyoto streams, as a proxy runs it: it reads into the shared
     * pool's direct buffers until one is not filled and writes them in one gathering write, so
     * this is the gathering write's path from the caller's buffers; every byte arrives in order.
     */
    @Test
    void aStreamCopiedBetweenTwoStreamsArrivesWhole() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair in = Probe.Pair.open(rt); Probe.Pair out = Probe.Pair.open(rt)) {
                CompletableFuture<Object> writer = onThread(() -> {
                    ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
                    for (long sent = 0; sent < STREAM; sent += chunk.capacity()) {
                        chunk.clear();
                        Pattern.fill(chunk, sent);
                        in.peer().getOutputStream().write(chunk.array());
                    }
                    in.peer().shutdownOutput();
                    return null;
                });
                CompletableFuture<Long> reader = onThread(() -> {
                    byte[] small = new byte[3000];
                    long read = 0;
                    for (int n; (n = out.peer().getInputStream().read(small)) > 0; read += n) {
                        Pattern.check(ByteBuffer.wrap(small, 0, n), read);
                    }
                    return read;
                });
                assertEquals(STREAM, rt.blockOn(Io.copy(in.stream(), out.stream())));
                rt.blockOn(out.stream().shutdown());
                writer.get();
                assertEquals(STREAM, reader.get());
            }
        });
    }

    /** A reset while a read waits in bulk ends the read with the reset, as on the selector. */
    @Test
    void aResetEndsAWaitingBulkRead() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p = Probe.Pair.open(rt)) {
                ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
                streamInto(rt, p, buf);
                buf.clear();
                Probe<Integer> read = new Probe<>(rt, p.stream().read(buf));
                assertEquals(Poll.pending(), read.poll());
                p.peer().setSoLinger(true, 0);
                p.peer().close();
                read.awaitWakes(1);
                SocketException e = assertThrows(SocketException.class, read::poll);
                assertEquals("Connection reset", e.getMessage());
            }
        });
    }

    /**
     * A stream closed while a bulk read waits gives its descriptor and its registration back at
     * once, while its peer stays open and silent: nothing from the peer may be needed to end the
     * wait.
     */
    @Test
    void closingWhileABulkReadWaitsGivesEverythingBack() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                long registrations = Released.registrations(rt);
                try (Probe.Pair p = Probe.Pair.open(rt)) {
                    ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
                    streamInto(rt, p, buf);
                    buf.clear();
                    Probe<Integer> read = new Probe<>(rt, p.stream().read(buf));
                    assertEquals(Poll.pending(), read.poll());
                    long withStream = Loopback.openDescriptors();
                    p.stream().close();
                    Released.await(rt, withStream - 1, registrations, "a stream closed while a bulk read waited");
                }
            }
        });
    }

    /** The peer writes 2 MiB and Kyoto reads them all, so that the connection has streamed. */
    private static void streamInto(KyotoRuntime rt, Probe.Pair p, ByteBuffer buf) throws Exception {
        int total = 2 * 1024 * 1024;
        CompletableFuture<Object> peer = onThread(() -> {
            p.peer().getOutputStream().write(new byte[total]);
            return null;
        });
        for (int received = 0; received < total;) {
            buf.clear();
            int n = rt.blockOn(p.stream().read(buf));
            assertTrue(n > 0);
            received += n;
        }
        peer.get();
    }

    /**
     * Runs {@code body} on a thread of its own: the blocking peers must not share the common
     * pool, which has one thread on a two-core machine.
     */
    private static <T> CompletableFuture<T> onThread(Callable<T> body) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofPlatform().name("bulk-peer").start(() -> {
            try {
                result.complete(body.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }
}
