package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.io.Interest;
import dev.kyoto.io.Ready;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Tokio's tcp_stream, tcp_peek and tcp_into_std suites, on the JDK. */
class TcpStreamTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    @Test
    void lingerReadsBackWhatWasSet() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p = Probe.Pair.open(rt)) {
                assertEquals(Optional.empty(), p.stream().linger());
                p.stream().setLinger(Duration.ofSeconds(1));
                assertEquals(Optional.of(Duration.ofSeconds(1)), p.stream().linger());
                p.stream().setZeroLinger();
                assertEquals(Optional.of(Duration.ZERO), p.stream().linger());
                p.stream().setLinger(null);
                assertEquals(Optional.empty(), p.stream().linger());
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> p.stream().setLinger(Duration.ofSeconds(-1)));
                assertTrue(e.getMessage().contains("use null to turn it off"), e.getMessage());
            }
        });
    }

    /**
     * A positive linger never blocks a close: with bytes the peer will not read, the kernel would
     * hold the closing thread (a worker) for the whole linger. The JDK turns lingering off as it
     * closes a channel registered with a selector; the io_uring driver does the same.
     */
    @Test
    void aCloseWithUnsentBytesAndALingerDoesNotWaitOutTheLinger() {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p = Probe.Pair.open(rt)) {
                TcpStream s = p.stream();
                s.setLinger(Duration.ofSeconds(60));
                ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
                while (s.tryWrite(chunk.clear()) > 0) {
                    // fill the send buffer and the peer's receive buffer: the peer never reads
                }
                s.close();
                // The runtime goes on at once, and the peer's connection is still there to read from.
                assertEquals(7, (int) rt.blockOn(rt.spawn(cx -> Poll.ready(7))));
                assertTrue(p.peer().getInputStream().read() >= 0, "the bytes sent before the close arrive");
            }
        });
    }

    @Test
    void readableWaitsForDataAndTryReadDrainsExactlyWhatWasWritten() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p = Probe.Pair.open(rt)) {
                TcpStream s = p.stream();
                for (int round = 0; round < 5; round++) {
                    Probe<Void> readable = new Probe<>(rt, s.readable());
                    assertTrue(readable.poll().isPending(), "not readable before the peer writes");
                    p.peer().getOutputStream().write("hello world".getBytes());
                    readable.awaitWakes(1);
                    assertTrue(readable.poll().isReady());
                    ByteBuffer buf = ByteBuffer.allocate(64);
                    int total = 0;
                    for (int n; (n = s.tryRead(buf)) > 0; ) {
                        total += n;
                    }
                    assertEquals(11, total);
                    assertEquals("hello world", new String(buf.array(), 0, 11));
                    assertEquals(0, s.tryRead(buf.clear()), "drained: would block");
                }
            }
        });
    }

    @Test
    void writableStaysReadyUntilTryWriteWouldBlockThenWaitsForTheDrain() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p = Probe.Pair.open(rt)) {
                TcpStream s = p.stream();
                assertTrue(new Probe<>(rt, s.writable()).poll().isReady(), "a new stream is writable");
                ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
                long written = 0;
                for (int n; (n = s.tryWrite(chunk.clear())) > 0; ) {
                    written += n;
                    assertTrue(new Probe<>(rt, s.writable()).poll().isReady(), "still writable until a write would block");
                }
                assertTrue(written > 0);
                Probe<Void> writable = new Probe<>(rt, s.writable());
                assertTrue(writable.poll().isPending(), "not writable with the send buffer full");
                Thread drain = Thread.ofPlatform().start(() -> drain(p.peer()));
                writable.awaitWakes(1);
                assertTrue(writable.poll().isReady());
                p.peer().shutdownInput();
                drain.interrupt();
            }
        });
    }

    private static void drain(Socket peer) {
        try {
            InputStream in = peer.getInputStream();
            byte[] buf = new byte[1 << 16];
            while (in.read(buf) >= 0) {
                // discard until closed
            }
        } catch (IOException e) {
            // the test closed the peer
        }
    }

    @Test
    void pollReadReadyTracksDataAndEndOfStream() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p = Probe.Pair.open(rt)) {
                TcpStream s = p.stream();
                Probe<Ready> ready = new Probe<>(rt, s::pollReadReady);
                assertTrue(ready.poll().isPending(), "a fresh stream is not readable");
                p.peer().getOutputStream().write(new byte[] {1, 2, 3, 4});
                ready.awaitWakes(1);
                assertTrue(ready.poll().value().isReadable());
                rt.blockOn(s.readExact(ByteBuffer.allocate(2)));
                assertTrue(ready.poll().isReady(), "still readable: two bytes are left");
                ByteBuffer rest = ByteBuffer.allocate(16);
                while (s.tryRead(rest) > 0) {
                    // drain
                }
                assertTrue(ready.poll().isPending(), "not readable once a read would block");
                p.peer().close();
                ready.awaitWakes(2);
                assertTrue(ready.poll().value().isReadable(), "readable again at end of stream");
                assertEquals(-1, rt.blockOn(s.read(ByteBuffer.allocate(8))));
            }
        });
    }

    @Test
    void pollWriteReadyIsLostWhenTheBufferFillsAndRegainedWhenThePeerGoes() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p = Probe.Pair.open(rt)) {
                TcpStream s = p.stream();
                Probe<Ready> ready = new Probe<>(rt, s::pollWriteReady);
                assertTrue(ready.poll().value().isWritable());
                ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
                while (s.tryWrite(chunk.clear()) > 0) {
                    // fill
                }
                assertTrue(ready.poll().isPending());
                p.peer().setSoLinger(true, 0);
                p.peer().close();
                ready.awaitWakes(1);
                assertTrue(ready.poll().isReady(), "writable (the next write fails) once the peer reset");
            }
        });
    }

    @Test
    void readinessFromDataIsNotReadClosedAndEndOfStreamIs() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p = Probe.Pair.open(rt)) {
                TcpStream s = p.stream();
                p.peer().getOutputStream().write(7);
                Ready r = rt.blockOn(s.ready(Interest.READABLE));
                assertTrue(r.isReadable());
                assertFalse(r.isReadClosed(), "data alone is no end of stream");
                assertFalse(rt.blockOn(s.ready(Interest.WRITABLE)).isWriteClosed(), "no false write-closed");
                ByteBuffer one = ByteBuffer.allocate(1);
                rt.blockOn(s.readExact(one));
                p.peer().shutdownOutput();
                assertEquals(-1, rt.blockOn(s.read(ByteBuffer.allocate(1))));
                assertTrue(rt.blockOn(s.ready(Interest.READABLE)).isReadClosed(), "end of stream seen is read-closed");
            }
        });
    }

    @Test
    void manyTasksWaitForReadabilityAtOnceAndAllAreWoken() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p = Probe.Pair.open(rt)) {
                Probe<?>[] waits = new Probe<?>[32];
                for (int i = 0; i < waits.length; i++) {
                    waits[i] = new Probe<>(rt, p.stream().readable());
                    assertTrue(waits[i].poll().isPending());
                }
                Probe<Integer> reader = new Probe<>(rt, p.stream().read(ByteBuffer.allocate(8)));
                assertTrue(reader.poll().isPending());
                p.peer().getOutputStream().write(1);
                for (Probe<?> w : waits) {
                    w.awaitWakes(1);
                    assertTrue(w.poll().isReady());
                }
                reader.awaitWakes(1);
                assertEquals(1, reader.poll().value(), "the single-slot reader is woken too");
            }
        });
    }

    @Test
    void cancelledReadinessWaitIsNotWoken() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p = Probe.Pair.open(rt)) {
                Probe<Void> cancelled = new Probe<>(rt, p.stream().readable());
                Probe<Void> kept = new Probe<>(rt, p.stream().readable());
                assertTrue(cancelled.poll().isPending());
                assertTrue(kept.poll().isPending());
                cancelled.cancel();
                p.peer().getOutputStream().write(1);
                kept.awaitWakes(1);
                assertEquals(0, cancelled.wakes.get());
            }
        });
    }

    @Test
    void peekReturnsTheBytesAgainAndReadReturnsThemOnce() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p = Probe.Pair.open(rt)) {
                TcpStream s = p.stream();
                p.peer().getOutputStream().write(new byte[] {1, 2, 3, 4});
                ByteBuffer first = ByteBuffer.allocate(4);
                ByteBuffer second = ByteBuffer.allocate(4);
                assertEquals(4, waitFor4(rt, s, first));
                assertEquals(4, rt.blockOn(s.peek(second)));
                assertArrayEquals(new byte[] {1, 2, 3, 4}, first.array());
                assertArrayEquals(first.array(), second.array());
                assertTrue(rt.blockOn(s.ready(Interest.READABLE)).isReadable(), "peeked bytes make the stream readable");
                ByteBuffer part = ByteBuffer.allocate(3);
                assertEquals(3, rt.blockOn(s.read(part)));
                assertArrayEquals(new byte[] {1, 2, 3}, part.array());
                ByteBuffer rest = ByteBuffer.allocate(8);
                assertEquals(1, s.tryRead(rest));
                assertEquals(4, rest.get(0));
                assertEquals(0, s.tryRead(rest), "nothing more");
                p.peer().shutdownOutput();
                assertEquals(-1, rt.blockOn(s.peek(ByteBuffer.allocate(4))), "peek at end of stream");
            }
        });
    }

    /** Peeks until all four bytes are there (they may arrive in pieces). */
    private static int waitFor4(KyotoRuntime rt, TcpStream s, ByteBuffer dst) throws Exception {
        int n;
        while ((n = rt.blockOn(s.peek(dst.clear()))) < 4) {
            rt.blockOn(s.readable());
        }
        return n;
    }

    @Test
    void vectoredWriteSendsTheBuffersInOrder() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p = Probe.Pair.open(rt)) {
                ByteBuffer[] parts = {ByteBuffer.wrap("abc".getBytes()), ByteBuffer.allocate(0), ByteBuffer.wrap("defgh".getBytes())};
                long n = rt.blockOn(p.stream().write(parts));
                assertEquals(8, n);
                assertArrayEquals("abcdefgh".getBytes(), p.peer().getInputStream().readNBytes(8));
                assertEquals(0L, rt.blockOn(p.stream().write(new ByteBuffer[0])));
            }
        });
    }

    @Test
    void intoChannelAndFromRoundTripThroughBlockingMode() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p = Probe.Pair.open(rt)) {
                p.peer().getOutputStream().write("Hello world!".getBytes());
                if (Loopback.driverOwnsSockets(rt)) {
                    // No channel to give back: the failure says so and names the way to get one,
                    // and the stream is not spent by it.
                    UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                            () -> rt.blockOn(p.stream().intoChannel()));
                    assertTrue(e.getMessage().contains("-Dkyoto.io.driver=nio"), e.getMessage());
                    ByteBuffer buf = ByteBuffer.allocate(12);
                    rt.blockOn(p.stream().readExact(buf));
                    assertEquals("Hello world!", new String(buf.array()));
                    return;
                }
                SocketChannel ch = rt.blockOn(p.stream().intoChannel());
                assertThrows(IllegalStateException.class, () -> p.stream().tryRead(ByteBuffer.allocate(1)), "the stream is spent");
                ch.configureBlocking(true);
                ByteBuffer buf = ByteBuffer.allocate(12);
                while (buf.hasRemaining()) {
                    ch.read(buf);
                }
                assertEquals("Hello world!", new String(buf.array()));
                ch.configureBlocking(false);
                p.peer().getOutputStream().write("Hello kyoto!".getBytes());
                TcpStream again = rt.blockOn(cx -> Poll.ready(TcpStream.from(ch)));
                ByteBuffer back = ByteBuffer.allocate(12);
                rt.blockOn(again.readExact(back));
                assertEquals("Hello kyoto!", new String(back.array()));
                again.close();
            }
        });
    }

    @Test
    void fromRejectsAnUnconnectedChannelAndLeavesItOpen() throws Exception {
        try (KyotoRuntime rt = Loopback.runtime(); SocketChannel ch = SocketChannel.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> rt.blockOn(cx -> Poll.ready(TcpStream.from(ch))));
            assertTrue(e.getMessage().contains("connect it first"), e.getMessage());
            assertTrue(ch.isOpen());
        }
    }

    @Test
    void addressesMirrorThePeers() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p = Probe.Pair.open(rt)) {
                InetSocketAddress peerLocal = p.peerLocal();
                assertEquals(peerLocal, p.stream().peerAddress());
                assertEquals(p.peer().getRemoteSocketAddress(), p.stream().localAddress());
                assertTrue(p.stream().toString().contains(String.valueOf(peerLocal.getPort())));
            }
        });
    }
}
