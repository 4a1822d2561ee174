package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kyoto.io.AsyncWrite;
import dev.kyoto.io.Io;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.time.Time;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Unix-domain stream through the generic {@link AsyncWrite} API: {@code shutdown()} half-closes
 * it and a vectored write gathers, as for a TCP stream, so that {@link Io#copyBidirectional}
 * passes end of stream on through Unix sockets.
 */
class UnixShutdownTest {
    /** A hang detector: each end of stream below arrives in milliseconds, or never. */
    private static final Duration EOF_LIMIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void shutdownThroughAsyncWriteSendsEndOfStreamAndKeepsTheOtherDirection() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = Loopback.runtime();
                    UnixListener listener = rt.blockOn(UnixListener.bind(dir.resolve("shutdown.sock")))) {
                UnixStream client = rt.blockOn(UnixStream.connect(listener.localAddress().getPath()));
                UnixStream server = rt.blockOn(listener.accept());
                AsyncWrite writer = client;
                rt.blockOn(writer.writeAll(ascii("last words")));
                rt.blockOn(writer.shutdown());
                ByteBuffer got = ByteBuffer.allocate(10);
                rt.blockOn(server.readExact(got));
                assertEquals(-1, rt.blockOn(Time.timeout(EOF_LIMIT, server.read(ByteBuffer.allocate(1)))),
                        "the peer reads end of stream after shutdown()");
                rt.blockOn(server.writeAll(ascii("reply")));
                ByteBuffer reply = ByteBuffer.allocate(5);
                rt.blockOn(client.readExact(reply));
                assertArrayEquals(ascii("reply").array(), reply.array(), "the other direction still works");
                rt.blockOn(writer.shutdown());
                client.close();
                server.close();
            }
        });
    }

    @Test
    void aVectoredWriteGathersEveryBuffer() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = Loopback.runtime();
                    UnixListener listener = rt.blockOn(UnixListener.bind(dir.resolve("gather.sock")))) {
                UnixStream client = rt.blockOn(UnixStream.connect(listener.localAddress().getPath()));
                UnixStream server = rt.blockOn(listener.accept());
                ByteBuffer[] parts = {ascii("head "), ByteBuffer.allocate(0), ascii("body "), ascii("tail")};
                // An empty socket takes 14 bytes at once: one gathering write moves all of them.
                assertEquals(14L, rt.blockOn(client.write(parts)));
                ByteBuffer got = ByteBuffer.allocate(14);
                rt.blockOn(server.readExact(got));
                assertEquals("head body tail", new String(got.array(), StandardCharsets.US_ASCII));
                client.close();
                server.close();
            }
        });
    }

    /** client → proxy (Unix) → echo server (Unix) and back; the client's end of stream must travel both ways. */
    @Test
    void copyBidirectionalBetweenUnixStreamsPassesTheEndOn() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (KyotoRuntime rt = Loopback.runtime();
                    UnixListener echo = rt.blockOn(UnixListener.bind(dir.resolve("echo.sock")));
                    UnixListener proxy = rt.blockOn(UnixListener.bind(dir.resolve("proxy.sock")))) {
                rt.spawn(UnixStreamTest.echoServer(echo));
                Path echoPath = echo.localAddress().getPath();
                JoinHandle<Io.Copied> proxied = rt.spawn(proxy.accept().then(in -> UnixStream.connect(echoPath)
                        .then(out -> Io.copyBidirectional(in, out).map(copied -> {
                            in.close();
                            out.close();
                            return copied;
                        }))));
                UnixStream client = rt.blockOn(UnixStream.connect(proxy.localAddress().getPath()));
                assertEndTravelsThrough(rt, client, proxied);
                client.close();
            }
        });
    }

    /** client (Unix) → proxy → echo server (TCP) and back: the proxy shuts a Unix stream down on the way back. */
    @Test
    void copyBidirectionalFromUnixToTcpPassesTheEndOn() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (KyotoRuntime rt = Loopback.runtime();
                    TcpListener echo = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                    UnixListener proxy = rt.blockOn(UnixListener.bind(dir.resolve("front.sock")))) {
                rt.spawn(cx -> {
                    Loopback.spawnEchoServer(echo);
                    return Poll.ready(null);
                });
                java.net.InetSocketAddress echoAddress = echo.localAddress();
                JoinHandle<Io.Copied> proxied = rt.spawn(proxy.accept().then(in -> TcpStream.connect(echoAddress)
                        .then(out -> Io.copyBidirectional(in, out).map(copied -> {
                            in.close();
                            out.close();
                            return copied;
                        }))));
                UnixStream client = rt.blockOn(UnixStream.connect(proxy.localAddress().getPath()));
                assertEndTravelsThrough(rt, client, proxied);
                client.close();
            }
        });
    }

    /**
     * Writes 4 MiB through the proxy, shuts the write half down through the generic API, and
     * expects every byte back followed by end of stream, and the proxy to finish with both counts.
     */
    private static void assertEndTravelsThrough(KyotoRuntime rt, UnixStream client, JoinHandle<Io.Copied> proxied)
            throws Exception {
        AsyncWrite writer = client;
        long size = 4L << 20;
        JoinHandle<Long> echoed = rt.spawn(Pattern.drain(client));
        rt.blockOn(Pattern.write(writer, 0, size).then(v -> writer.shutdown()));
        assertEquals(size, rt.blockOn(Time.timeout(EOF_LIMIT, echoed)), "every byte came back, then the end");
        assertEquals(new Io.Copied(size, size), rt.blockOn(Time.timeout(EOF_LIMIT, proxied)));
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }
}
