package dev.kyoto.net.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kyoto.io.AsyncRead;
import dev.kyoto.io.AsyncWrite;
import dev.kyoto.io.Io;
import dev.kyoto.net.AcceptBackoff;
import dev.kyoto.net.Pattern;
import dev.kyoto.net.TcpListener;
import dev.kyoto.net.TcpStream;
import dev.kyoto.net.UnixListener;
import dev.kyoto.net.UnixStream;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Handle;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Half-closes by the thousand, with every byte checked: a client sends its bytes, shuts its
 * output down and reads the echo to its end, straight to the README's echo server or through a
 * proxy ({@link Io#copyBidirectional}) that hands the connection on over a Unix socket to an echo
 * server there, so the end of stream must cross two hops each way; and a server that half-closes
 * first, after which the client still sends it everything. Nothing is lost or cut short, and
 * nothing stays open.
 */
class HalfCloseSoakTest {
    /** Exchanges of each of the three kinds. */
    private static final int EXCHANGES = Soak.size(200, 10_000);
    private static final int AT_ONCE = 16;
    private static final int MAX_SIZE = 64 * 1024;
    private static final Figures FIGURES = Figures.of(HalfCloseSoakTest.class);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @EnumSource(Flavour.class)
    void everyByteAndEveryEndOfStreamArrives(Flavour flavour) {
        assertTimeoutPreemptively(Duration.ofMinutes(5), () -> {
            try (KyotoRuntime rt = flavour.build("halfclose")) {
                Descriptors.Baseline base = Descriptors.baseline(rt);
                EchoServer echo = EchoServer.start(rt);
                UnixListener unix = rt.blockOn(UnixListener.bind(dir.resolve("echo-" + flavour + ".sock")));
                JoinHandle<Void> unixEcho = rt.spawn(unixEchoLoop(unix, backoff()));
                TcpListener proxy = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                Counter proxied = new Counter();
                JoinHandle<Void> proxyLoop = rt.spawn(proxyLoop(proxy, backoff(), unix.localAddress().getPath(), proxied));
                TcpListener first = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                Counter senderGotAll = new Counter();
                JoinHandle<Void> senderLoop = rt.spawn(sendFirstLoop(first, backoff(), senderGotAll));

                InetSocketAddress echoAt = echo.address();
                InetSocketAddress proxyAt = proxy.localAddress();
                InetSocketAddress firstAt = first.localAddress();
                long echoed = exchanges(rt, i -> echoExchange(echoAt, i));
                long viaProxy = exchanges(rt, i -> echoExchange(proxyAt, i));
                long serverFirst = exchanges(rt, i -> serverFirstExchange(firstAt, i));

                // The servers' tasks close their sockets right after the client saw the end.
                rt.blockOn(echo.ended.atLeast(EXCHANGES));
                assertEquals(0, echo.failed.get(), "echo connections that ended with a failure");
                rt.blockOn(proxied.atLeast(EXCHANGES));
                rt.blockOn(senderGotAll.atLeast(EXCHANGES));
                echo.close();
                for (AutoCloseable l : List.of(unix, proxy, first)) {
                    l.close();
                }
                for (JoinHandle<Void> loop : List.of(unixEcho, proxyLoop, senderLoop)) {
                    endedWithListenerClosed(rt, loop);
                }
                Descriptors.awaitBack(rt, base, "after " + 3 * EXCHANGES + " half-closed exchanges");
                FIGURES.add("%s: %,d exchanges of each kind, 0 to 64 KiB each way; every byte checked, every end of stream seen:"
                        + " echo %.1f MiB, through the TCP-to-Unix proxy %.1f MiB, server half-closing first %.1f MiB;"
                        + " descriptors %d before, %d after", flavour, EXCHANGES, echoed / 1048576.0, viaProxy / 1048576.0,
                        serverFirst / 1048576.0, base.fds(), Descriptors.open());
            }
        });
    }

    private static AcceptBackoff backoff() {
        return new AcceptBackoff((failure, pause) -> {
            throw new AssertionError("accept failed: " + failure);
        });
    }

    /** Runs {@link #EXCHANGES} exchanges, {@link #AT_ONCE} at a time; the bytes they moved. */
    private static long exchanges(KyotoRuntime rt, IntFunction<Async<Long>> exchange) throws Exception {
        Counter bytes = new Counter();
        List<JoinHandle<Void>> chains = new ArrayList<>();
        for (int i = 0; i < AT_ONCE; i++) {
            chains.add(rt.spawn(chain(i, exchange, bytes)));
        }
        for (JoinHandle<Void> h : chains) {
            rt.blockOn(h);
        }
        return bytes.get();
    }

    private static Async<Void> chain(int i, IntFunction<Async<Long>> exchange, Counter bytes) {
        if (i >= EXCHANGES) {
            return Async.ready(null);
        }
        return exchange.apply(i).then(n -> {
            bytes.add(n);
            return chain(i + AT_ONCE, exchange, bytes);
        });
    }

    /** The size of exchange {@code i}'s bytes in one direction: 0 one time in eight, else up to 64 KiB. */
    private static long size(int i, int direction) {
        SplittableRandom r = new SplittableRandom(i * 2L + direction);
        return r.nextInt(8) == 0 ? 0 : r.nextInt(1, MAX_SIZE + 1);
    }

    /** Sends, half-closes, and reads the echo to its end at the same time; checks it is all there. */
    private static Async<Long> echoExchange(InetSocketAddress server, int i) {
        long n = size(i, 0);
        return TcpStream.connect(server).then(s -> Both.of(
                Pattern.write(s, 0, n).then(v -> s.shutdown()),
                Pattern.drain(s)).map(got -> {
                    s.close();
                    assertEquals(n, got, "exchange " + i + ": bytes echoed before the end of stream");
                    return 2 * n;
                }));
    }

    /**
     * The server sends first and half-closes; the client reads to the end, then sends its own
     * bytes and half-closes; the server checks it got them all. The first 16 bytes the client
     * sends say how much each side sends.
     */
    private static Async<Long> serverFirstExchange(InetSocketAddress server, int i) {
        long down = size(i, 0);
        long up = size(i, 1);
        ByteBuffer header = ByteBuffer.allocate(16).putLong(down).putLong(up).flip();
        return TcpStream.connect(server).then(s -> s.writeAll(header)
                .then(v -> Pattern.drain(s))
                .then(got -> {
                    assertEquals(down, got, "exchange " + i + ": bytes the server sent before its end of stream");
                    return Pattern.write(s, 0, up);
                })
                .then(v -> s.shutdown())
                .map(v -> {
                    s.close();
                    return down + up;
                }));
    }

    private static Async<Void> sendFirstLoop(TcpListener listener, AcceptBackoff backoff, Counter gotAll) {
        return backoff.accept(listener).then(s -> {
            ByteBuffer header = ByteBuffer.allocate(16);
            Handle.current().spawn(s.readExact(header)
                    .then(v -> Pattern.write(s, 0, header.flip().getLong()))
                    .then(v -> s.shutdown())
                    .then(v -> Pattern.drain(s))
                    .map(got -> {
                        s.close();
                        assertEquals(header.getLong(8), got, "bytes the client sent after the server's end of stream");
                        gotAll.increment();
                        return null;
                    }));
            return sendFirstLoop(listener, backoff, gotAll);
        });
    }

    private static Async<Void> unixEchoLoop(UnixListener listener, AcceptBackoff backoff) {
        return backoff.accept(listener).then(s -> {
            Handle.current().spawn(echo(s, ByteBuffer.allocate(16 * 1024)).map(v -> {
                s.close();
                return null;
            }));
            return unixEchoLoop(listener, backoff);
        });
    }

    private static <S extends AsyncRead & AsyncWrite> Async<Void> echo(S s, ByteBuffer buf) {
        return s.read(buf.clear()).then(n -> n < 0 ? Async.ready(null)
                : s.writeAll(buf.flip()).then(v -> echo(s, buf)));
    }

    /** The README's proxy, to the Unix echo server. */
    private static Async<Void> proxyLoop(TcpListener listener, AcceptBackoff backoff, Path unix, Counter proxied) {
        return backoff.accept(listener).then(client -> {
            Handle.current().spawn(UnixStream.connect(unix).then(server -> Io.copyBidirectional(client, server).map(copied -> {
                client.close();
                server.close();
                proxied.increment();
                return copied;
            })));
            return proxyLoop(listener, backoff, unix, proxied);
        });
    }

    private static void endedWithListenerClosed(KyotoRuntime rt, JoinHandle<Void> loop) throws Exception {
        try {
            rt.blockOn(loop);
        } catch (IOException e) {
            assertEquals("listener closed", e.getMessage());
        }
    }
}
