package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Tokio's tcp_split and tcp_into_split suites, and the halves' own rules. */
class TcpSplitTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    @Test
    void borrowedHalvesPeekReadAndWrite() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p = Probe.Pair.open(rt)) {
                p.peer().getOutputStream().write("split".getBytes());
                TcpStream.Split halves = p.stream().split();
                ByteBuffer a = ByteBuffer.allocate(5);
                ByteBuffer b = ByteBuffer.allocate(5);
                while (rt.blockOn(halves.read().peek(a.clear())) < 5) {
                    rt.blockOn(halves.read().readable());
                }
                assertEquals(5, rt.blockOn(halves.read().peek(b)));
                assertArrayEquals(a.array(), b.array());
                ByteBuffer read = ByteBuffer.allocate(5);
                rt.blockOn(halves.read().readExact(read));
                assertArrayEquals("split".getBytes(), read.array());
                rt.blockOn(halves.write().writeAll(ByteBuffer.wrap("split".getBytes())));
                assertArrayEquals("split".getBytes(), p.peer().getInputStream().readNBytes(5));
            }
        });
    }

    @Test
    void borrowedHalvesReadAndWriteFromTwoTasksAtOnce() {
        assertTimeoutPreemptively(LIMIT, () -> {
            byte[] data = new byte[4 << 20];
            new Random(7).nextBytes(data);
            byte[] back = new byte[data.length];
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(2).enableAll().build()) {
                TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                rt.blockOn(cx -> {
                    Loopback.spawnEchoServer(listener);
                    return Poll.ready(null);
                });
                TcpStream client = rt.blockOn(TcpStream.connect(listener.localAddress()));
                TcpStream.Split halves = client.split();
                JoinHandle<Void> writer = rt.spawn(halves.write().writeAll(ByteBuffer.wrap(data)));
                JoinHandle<Void> reader = rt.spawn(halves.read().readExact(ByteBuffer.wrap(back)));
                rt.blockOn(writer);
                rt.blockOn(reader);
                client.close();
                listener.close();
            }
            assertArrayEquals(data, back);
        });
    }

    @Test
    void ownedHalvesMoveToTheirOwnTasks() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p = Probe.Pair.open(rt)) {
                p.peer().getOutputStream().write("owned".getBytes());
                TcpStream.OwnedSplit halves = p.stream().intoSplit();
                ByteBuffer a = ByteBuffer.allocate(5);
                ByteBuffer b = ByteBuffer.allocate(5);
                while (rt.blockOn(halves.read().peek(a.clear())) < 5) {
                    rt.blockOn(halves.read().readable());
                }
                assertEquals(5, rt.blockOn(halves.read().peek(b)));
                ByteBuffer read = ByteBuffer.allocate(5);
                JoinHandle<Void> reader = rt.spawn(halves.read().readExact(read));
                JoinHandle<Integer> writer = rt.spawn(halves.write().write(ByteBuffer.wrap("hello".getBytes())));
                assertEquals(5, rt.blockOn(writer));
                rt.blockOn(reader);
                assertArrayEquals(a.array(), read.array());
                assertArrayEquals("hello".getBytes(), p.peer().getInputStream().readNBytes(5));
                IllegalStateException spent = assertThrows(IllegalStateException.class, () -> p.stream().tryRead(ByteBuffer.allocate(1)));
                assertTrue(spent.getMessage().contains("reunite"), spent.getMessage());
                assertThrows(IllegalStateException.class, () -> p.stream().split());
                halves.read().close();
                halves.write().close();
            }
        });
    }

    @Test
    void reuniteGivesTheStreamBackOnlyForHalvesOfTheSameStream() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p1 = Probe.Pair.open(rt); Probe.Pair p2 = Probe.Pair.open(rt)) {
                TcpStream.OwnedSplit one = p1.stream().intoSplit();
                TcpStream.OwnedSplit two = p2.stream().intoSplit();
                ReuniteException e = assertThrows(ReuniteException.class, () -> one.read().reunite(two.write()));
                assertSame(one.read(), e.readHalf());
                assertSame(two.write(), e.writeHalf());
                TcpStream back = one.write().reunite(e.readHalf());
                assertSame(p1.stream(), back);
                p1.peer().getOutputStream().write(42);
                ByteBuffer buf = ByteBuffer.allocate(1);
                rt.blockOn(back.readExact(buf));
                assertEquals(42, buf.get(0));
                assertEquals("read half closed", assertThrows(IOException.class,
                        () -> one.read().tryRead(ByteBuffer.allocate(1))).getMessage(), "a reunited half is spent");
                two.write().close();
                assertThrows(IllegalStateException.class, () -> two.read().reunite(two.write()), "a closed half cannot be reunited");
                two.read().close();
            }
        });
    }

    @Test
    void closingTheOwnedWriteHalfMidReadSendsEndOfStreamAndTheReadGoesOn() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p = Probe.Pair.open(rt)) {
                TcpStream.OwnedSplit halves = p.stream().intoSplit();
                Probe<Integer> read = new Probe<>(rt, halves.read().read(ByteBuffer.allocate(8)));
                assertTrue(read.poll().isPending());
                Thread closer = Thread.ofPlatform().start(() -> {
                    try {
                        halves.write().close();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                closer.join();
                assertEquals(-1, p.peer().getInputStream().read(), "the peer sees end of stream");
                p.peer().close();
                read.awaitWakes(1);
                assertEquals(-1, read.poll().value(), "the local read sees the peer's end of stream");
                assertEquals("write half closed", assertThrows(IOException.class,
                        () -> halves.write().tryWrite(ByteBuffer.allocate(1))).getMessage());
                halves.read().close();
            }
        });
    }

    @Test
    void closingBothOwnedHalvesClosesTheConnection() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                Probe.Pair.open(rt).close();
                rt.blockOn(rt.spawn(dev.kyoto.runtime.Async.yieldNow()));
                long before = Loopback.openDescriptors();
                Probe.Pair p = Probe.Pair.open(rt);
                TcpStream.OwnedSplit halves = p.stream().intoSplit();
                halves.read().close();
                assertEquals(0, halves.write().tryWrite(ByteBuffer.allocate(0)), "the write half outlives the read half");
                halves.write().close();
                halves.write().close();
                p.peer().close();
                assertEquals(before, Loopback.awaitDescriptors(rt, before), "the socket is closed once both halves are");
                assertThrows(IllegalStateException.class, () -> p.stream().split(), "the stream stays spent");
            }
        });
    }

    @Test
    void aClosedStreamFailsItsBorrowedHalves() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p = Probe.Pair.open(rt)) {
                TcpStream.Split halves = p.stream().split();
                Probe<Integer> read = new Probe<>(rt, halves.read().read(ByteBuffer.allocate(1)));
                assertTrue(read.poll().isPending());
                p.stream().close();
                read.awaitWakes(1);
                assertEquals("stream closed", assertThrows(IOException.class, read::poll).getMessage());
                assertEquals("stream closed", assertThrows(IOException.class,
                        () -> rt.blockOn(halves.write().writeAll(ByteBuffer.allocate(1)))).getMessage());
            }
        });
    }
}
