package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.KyotoRuntime;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Bytes that are already in the socket when a stream reads, and that no later bytes follow: on
 * io_uring a stream's receive waits for an edge of the loop's epoll instance, and an edge comes
 * only when bytes arrive, so the stream must remember the edges it has not used up (bytes sent
 * before its first read, and bytes a receive that filled its chunk left behind), or a read waits
 * for a peer that has nothing more to say; and the peer's end, which a receive returning bytes
 * cannot report, must not wait for an edge either. By default streams take edges only on a busy
 * ring, which these tests do not make; the io_uring run with rings per worker gives them edges
 * from their first receive ({@code kyoto.io.uring.edgesFrom=0}, module-net's pom), and that run
 * is the one these pin.
 * On the selector these pass as any read does.
 */
class ReceiveEdgesTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    @Test
    void bytesSentBeforeTheFirstReadAreReadInSmallReads() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p = Probe.Pair.open(rt)) {
                ByteBuffer sent = ByteBuffer.allocate(300);
                Pattern.fill(sent, 0);
                p.peer().getOutputStream().write(sent.array());
                assertEquals(300, readPattern(rt, p.stream(), 300, 100));
            }
        });
    }

    /**
     * The peer's end right behind its last bytes: the receive that takes the bytes cannot report
     * the end, and the end brings no edge of its own after the one its bytes brought.
     */
    @Test
    void theEndThatFollowsTheLastBytesIsReadAfterThem() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                for (int round = 0; round < 50; round++) {
                    try (Probe.Pair p = Probe.Pair.open(rt)) {
                        // A first read, so the stream has received once (and is registered for edges).
                        p.peer().getOutputStream().write(new byte[] {1});
                        assertEquals(1, rt.blockOn(p.stream().read(ByteBuffer.allocate(1))));
                        ByteBuffer sent = ByteBuffer.allocate(300);
                        Pattern.fill(sent, 0);
                        p.peer().getOutputStream().write(sent.array());
                        p.peer().shutdownOutput();
                        // Turns of the runtime with no read waiting: the edge of the bytes and
                        // the end is taken now, before the read that takes the bytes.
                        for (int turn = 0; turn < 10; turn++) {
                            rt.blockOn(rt.spawn(Async.yieldNow()));
                        }
                        assertEquals(300, readPattern(rt, p.stream(), 300, 100), "round " + round);
                        assertEquals(-1, rt.blockOn(p.stream().read(ByteBuffer.allocate(100))), "round " + round);
                    }
                }
            }
        });
    }

    /**
     * 48 KiB, written at once and followed by silence until the stream has read them all in 1 KiB
     * reads: the driver's receives take 512 bytes, then 4 KiB, each filling its chunk, then the
     * rest; the bytes after each full chunk bring no edge of their own.
     */
    @Test
    void bytesLeftBehindByAFullReceiveAreReadWithoutMoreArriving() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p = Probe.Pair.open(rt)) {
                int total = 48 * 1024;
                ByteBuffer sent = ByteBuffer.allocate(total);
                Pattern.fill(sent, 0);
                OutputStream out = p.peer().getOutputStream();
                out.write(sent.array());
                out.flush();
                CompletableFuture<Integer> ack = new CompletableFuture<>();
                Thread.ofPlatform().name("edges-peer").start(() -> {
                    try {
                        InputStream in = p.peer().getInputStream();
                        ack.complete(in.read());
                    } catch (Exception e) {
                        ack.completeExceptionally(e);
                    }
                });
                assertEquals(total, readPattern(rt, p.stream(), total, 1024));
                rt.blockOn(p.stream().writeAll(ByteBuffer.wrap(new byte[] {42})));
                assertEquals(42, ack.get());
            }
        });
    }

    /** Reads {@code total} bytes of {@link Pattern} in reads of at most {@code size} into a heap buffer; returns how many came. */
    private static int readPattern(KyotoRuntime rt, TcpStream stream, int total, int size) throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(size);
        int received = 0;
        while (received < total) {
            buf.clear().limit(Math.min(size, total - received));
            int n = rt.blockOn(stream.read(buf));
            if (n < 0) {
                break;
            }
            buf.flip();
            Pattern.check(buf, received);
            received += n;
        }
        return received;
    }
}
