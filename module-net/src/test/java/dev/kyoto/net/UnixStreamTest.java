package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.io.Interest;
import dev.kyoto.io.Ready;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Handle;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unix-domain streams, mirroring the TCP tests: echo, end of stream, half-close, readiness, close. */
class UnixStreamTest {

    @TempDir
    Path dir;

    private void run(UdpSocketTest.ThrowingBody body) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                body.run(rt);
            }
        });
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** Accepts connections forever and echoes each in its own task, as Loopback's TCP echo server. */
    static Async<Void> echoServer(UnixListener listener) {
        return listener.accept().then(s -> {
            Handle.current().spawn(echo(s, ByteBuffer.allocate(64 * 1024)));
            return echoServer(listener);
        });
    }

    private static Async<Void> echo(UnixStream s, ByteBuffer buf) {
        buf.clear();
        return s.read(buf).then(n -> {
            if (n < 0) {
                s.close();
                return Async.ready(null);
            }
            buf.flip();
            return s.writeAll(buf).then(v -> echo(s, buf));
        });
    }

    /** Tokio's tcp_echo, over a Unix-domain socket: 1024 round trips of 11 bytes. */
    @Test
    void echoes1024RoundTripsOf11Bytes() {
        run(rt -> {
            Path path = dir.resolve("echo.sock");
            UnixListener listener = rt.blockOn(UnixListener.bind(path));
            rt.spawn(echoServer(listener));
            UnixStream client = rt.blockOn(UnixStream.connect(path));
            for (int i = 0; i < 1024; i++) {
                byte[] msg = String.format("hello %05d", i).getBytes(StandardCharsets.US_ASCII);
                ByteBuffer back = ByteBuffer.allocate(11);
                rt.blockOn(client.writeAll(ByteBuffer.wrap(msg)));
                rt.blockOn(client.readExact(back));
                assertArrayEquals(msg, back.array());
            }
            client.close();
            listener.close();
        });
    }

    @Test
    void transfers4MiBInBothDirectionsAtOnce() {
        run(rt -> {
            Path path = dir.resolve("bulk.sock");
            UnixListener listener = rt.blockOn(UnixListener.bind(path));
            rt.spawn(echoServer(listener));
            byte[] data = new byte[4 << 20];
            new Random(7).nextBytes(data);
            byte[] back = new byte[data.length];
            UnixStream client = rt.blockOn(UnixStream.connect(path));
            JoinHandle<Void> writer = rt.spawn(client.writeAll(ByteBuffer.wrap(data)));
            JoinHandle<Void> reader = rt.spawn(client.readExact(ByteBuffer.wrap(back)));
            rt.blockOn(writer);
            rt.blockOn(reader);
            assertArrayEquals(data, back);
            client.close();
            listener.close();
        });
    }

    /** Both ends in tasks on a multi-thread runtime: 16 connections echo 256 KiB each at once. */
    @Test
    void echoWithBothEndsInSpawnedTasksOnAMultiThreadRuntime() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(4).enableAll().build()) {
                Path path = dir.resolve("mt.sock");
                UnixListener listener = rt.blockOn(UnixListener.bind(path));
                rt.spawn(echoServer(listener));
                java.util.List<byte[]> sent = new java.util.ArrayList<>();
                java.util.List<JoinHandle<byte[]>> results = new java.util.ArrayList<>();
                for (int c = 0; c < 16; c++) {
                    byte[] data = new byte[256 * 1024];
                    new Random(c).nextBytes(data);
                    sent.add(data);
                    results.add(rt.spawn(UnixStream.connect(path).then(s -> {
                        byte[] back = new byte[data.length];
                        JoinHandle<Void> writer = Handle.current().spawn(s.writeAll(ByteBuffer.wrap(data)));
                        return s.readExact(ByteBuffer.wrap(back)).then(v -> writer).map(v -> {
                            s.close();
                            return back;
                        });
                    })));
                }
                for (int c = 0; c < 16; c++) {
                    assertArrayEquals(sent.get(c), rt.blockOn(results.get(c)), "connection " + c);
                }
                listener.close();
            }
        });
    }

    /** Tokio's tcp_shutdown: after shutdownOutput the peer reads end of stream, and can still answer. */
    @Test
    void readsEndOfStreamAfterShutdownOutput() {
        run(rt -> {
            Path path = dir.resolve("half.sock");
            UnixListener listener = rt.blockOn(UnixListener.bind(path));
            JoinHandle<String> server = rt.spawn(listener.accept().then(s -> {
                ByteBuffer all = ByteBuffer.allocate(64);
                return readToEnd(s, all).then(v -> {
                    String got = new String(all.array(), 0, all.position(), StandardCharsets.US_ASCII);
                    return s.writeAll(ascii("got " + got)).map(w -> {
                        s.close();
                        return got;
                    });
                });
            }));
            UnixStream client = rt.blockOn(UnixStream.connect(path));
            rt.blockOn(client.writeAll(ascii("ping")));
            client.shutdownOutput();
            ByteBuffer reply = ByteBuffer.allocate(64);
            rt.blockOn(readToEnd(client, reply));
            assertEquals("got ping", new String(reply.array(), 0, reply.position(), StandardCharsets.US_ASCII));
            assertEquals("ping", rt.blockOn(server));
            assertEquals(-1, rt.blockOn(client.read(ByteBuffer.allocate(8))), "end of stream is sticky");
            assertThrows(IOException.class, () -> rt.blockOn(client.write(ascii("more"))), "the write half is shut");
            client.close();
            listener.close();
        });
    }

    private static Async<Void> readToEnd(UnixStream s, ByteBuffer into) {
        return s.read(into).then(n -> n < 0 ? Async.ready(null) : readToEnd(s, into));
    }

    /** After close, reads and writes fail with "stream closed"; a read waiting at the time is woken to fail. */
    @Test
    void readingAfterCloseFailsWithStreamClosed() {
        run(rt -> {
            Path path = dir.resolve("closed.sock");
            UnixListener listener = rt.blockOn(UnixListener.bind(path));
            UnixStream client = rt.blockOn(UnixStream.connect(path));
            UnixStream server = rt.blockOn(listener.accept());
            JoinHandle<Integer> waiting = rt.spawn(server.read(ByteBuffer.allocate(8)));
            rt.blockOn(Async.yieldNow());
            assertFalse(waiting.isFinished());
            server.close();
            assertEquals("stream closed", assertThrows(IOException.class, () -> rt.blockOn(waiting)).getMessage());
            assertEquals("stream closed", assertThrows(IOException.class, () -> rt.blockOn(server.read(ByteBuffer.allocate(8)))).getMessage());
            assertEquals("stream closed", assertThrows(IOException.class, () -> rt.blockOn(server.write(ascii("x")))).getMessage());
            assertEquals("stream closed", assertThrows(IOException.class, () -> server.tryRead(ByteBuffer.allocate(8))).getMessage());
            assertEquals(-1, rt.blockOn(client.read(ByteBuffer.allocate(8))), "the peer sees end of stream");
            server.close();
            client.close();
            listener.close();
        });
    }

    /** Tokio's try_read_write and poll_read_ready: readiness and try operations follow the data. */
    @Test
    void tryReadAndTryWriteFollowReadiness() {
        run(rt -> {
            Path path = dir.resolve("try.sock");
            UnixListener listener = rt.blockOn(UnixListener.bind(path));
            UnixStream client = rt.blockOn(UnixStream.connect(path));
            UnixStream server = rt.blockOn(listener.accept());
            assertTrue(rt.blockOn(client.writable()).isWritable());
            JoinHandle<Ready> readable = rt.spawn(server.readable());
            rt.blockOn(Async.yieldNow());
            assertFalse(readable.isFinished(), "nothing written yet");
            assertEquals(0, server.tryRead(ByteBuffer.allocate(8)), "nothing to read: 0, as a non-blocking channel says");
            assertEquals(5, client.tryWrite(ascii("hello")));
            assertTrue(rt.blockOn(readable).isReadable());
            ByteBuffer buf = ByteBuffer.allocate(8);
            int n;
            do {
                rt.blockOn(server.readable());
            } while ((n = server.tryRead(buf)) == 0);
            assertEquals(5, n);
            assertEquals("hello", new String(buf.array(), 0, 5, StandardCharsets.US_ASCII));
            assertEquals(0, server.tryRead(buf.clear()), "drained");

            // Fill the socket until a write finds no room; then writable waits until the peer reads.
            ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
            long written = 0;
            int w;
            while ((w = client.tryWrite(chunk.clear())) > 0) {
                written += w;
            }
            JoinHandle<Ready> writable = rt.spawn(client.writable());
            rt.blockOn(Async.yieldNow());
            assertFalse(writable.isFinished(), "the socket is full after " + written + " bytes");
            rt.blockOn(server.readExact(ByteBuffer.allocate((int) written)));
            assertTrue(rt.blockOn(writable).isWritable());

            client.close();
            Ready closed = rt.blockOn(server.ready(Interest.READABLE));
            assertTrue(closed.isReadable());
            assertEquals(-1, server.tryRead(buf.clear()), "end of stream");
            server.close();
            listener.close();
        });
    }

    /** The addresses: the listener's path on the accepting side, unnamed on the connecting side. */
    @Test
    void localAndPeerAddresses() {
        run(rt -> {
            Path path = dir.resolve("addr.sock");
            UnixListener listener = rt.blockOn(UnixListener.bind(path));
            UnixStream client = rt.blockOn(UnixStream.connect(path));
            UnixStream server = rt.blockOn(listener.accept());
            assertEquals(path, listener.localAddress().getPath());
            assertEquals(path, client.peerAddress().getPath());
            assertEquals(path, server.localAddress().getPath());
            assertEquals(Path.of(""), client.localAddress().getPath(), "a connecting socket is unnamed");
            assertEquals(Path.of(""), server.peerAddress().getPath());
            assertEquals("UnixStream[ -> " + path + "]", client.toString());
            assertEquals("UnixListener[" + path + "]", listener.toString());
            client.close();
            server.close();
            listener.close();
            assertEquals("UnixStream[ -> " + path + "]", client.toString(), "the addresses it had");
            assertEquals("UnixListener[" + path + "]", listener.toString());
            assertEquals(path, client.peerAddress().getPath());
        });
    }
}
