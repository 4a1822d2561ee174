package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Handle;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TcpEchoTest {

    @Test
    void runsOnTheModulePath() {
        assertEquals("dev.kyoto.net", getClass().getModule().getName(), "surefire must patch the tests into the module, not fall back to the class path");
    }


    @Test
    void echoes1024RoundTripsOf11Bytes() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                rt.blockOn(TcpListener.bind("127.0.0.1:0").then(listener -> {
                    Loopback.spawnEchoServer(listener);
                    return connectTo(listener);
                }).then(client -> roundTrips(client, 1024)));
            }
        });
    }

    private static Async<TcpStream> connectTo(TcpListener listener) {
        return TcpStream.connect(listener.localAddress());
    }

    private static Async<Void> roundTrips(TcpStream client, int remaining) {
        if (remaining == 0) {
            return Async.ready(null);
        }
        byte[] msg = String.format("hello %05d", remaining).getBytes(StandardCharsets.US_ASCII);
        assertEquals(11, msg.length);
        ByteBuffer back = ByteBuffer.allocate(11);
        return client.writeAll(ByteBuffer.wrap(msg))
                .then(v -> client.readExact(back))
                .then(v -> {
                    assertArrayEquals(msg, back.array());
                    return roundTrips(client, remaining - 1);
                });
    }

    @Test
    void transfers16MiBInBothDirectionsAtOnce() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            byte[] data = new byte[16 << 20];
            new Random(42).nextBytes(data);
            byte[] received = new byte[data.length];
            try (KyotoRuntime rt = Loopback.runtime()) {
                TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                rt.blockOn(cx -> {
                    Loopback.spawnEchoServer(listener);
                    return dev.kyoto.runtime.Poll.ready(null);
                });
                TcpStream client = rt.blockOn(TcpStream.connect(listener.localAddress()));
                JoinHandle<Void> writer = rt.spawn(client.writeAll(ByteBuffer.wrap(data)));
                JoinHandle<Void> reader = rt.spawn(client.readExact(ByteBuffer.wrap(received)));
                rt.blockOn(writer);
                rt.blockOn(reader);
                client.close();
            }
            assertArrayEquals(data, received);
        });
    }

    @Test
    void readsEndOfStreamAfterShutdownOutput() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                JoinHandle<String> server = rt.spawn(listener.accept().then(s -> {
                    ByteBuffer all = ByteBuffer.allocate(64);
                    return readToEnd(s, all).then(v -> {
                        all.flip();
                        String got = StandardCharsets.US_ASCII.decode(all).toString();
                        return s.writeAll(ByteBuffer.wrap(("got " + got).getBytes(StandardCharsets.US_ASCII)))
                                .map(w -> {
                                    try {
                                        s.close();
                                    } catch (java.io.IOException e) {
                                        throw new java.io.UncheckedIOException(e);
                                    }
                                    return got;
                                });
                    });
                }));
                TcpStream client = rt.blockOn(TcpStream.connect(listener.localAddress()));
                rt.blockOn(client.writeAll(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII))));
                client.shutdownOutput();
                ByteBuffer reply = ByteBuffer.allocate(64);
                rt.blockOn(readToEnd(client, reply));
                reply.flip();
                assertEquals("got ping", StandardCharsets.US_ASCII.decode(reply).toString());
                assertEquals("ping", rt.blockOn(server));
                assertEquals(-1, rt.blockOn(client.read(ByteBuffer.allocate(8))), "end of stream is sticky");
                client.close();
            }
        });
    }

    private static Async<Void> readToEnd(TcpStream s, ByteBuffer into) {
        return s.read(into).then(n -> n < 0 ? Async.ready(null) : readToEnd(s, into));
    }

    @Test
    void spawnedTasksFindTheRuntimeThroughHandleCurrent() throws Exception {
        try (KyotoRuntime rt = Loopback.runtime()) {
            assertEquals(rt.handle(), rt.blockOn(cx -> dev.kyoto.runtime.Poll.ready(Handle.current())));
        }
    }
}
