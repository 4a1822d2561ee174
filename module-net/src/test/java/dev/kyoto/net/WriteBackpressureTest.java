package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kyoto.io.Io;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A write completes when its bytes are in the kernel, and a peer that does not read stops the
 * writer once the kernel's buffers are full: nothing queues up in this process.
 */
class WriteBackpressureTest {
    /** Far more than any kernel buffers a connection: a writer that gets this far queues without bound. */
    private static final long RUNAWAY = 256L << 20;

    @Test
    void aWriteToAPeerThatDoesNotReadStaysPendingUntilThePeerReads() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                JoinHandle<TcpStream> accepted = rt.spawn(listener.accept());
                TcpStream client = rt.blockOn(TcpStream.connect(listener.localAddress()));
                TcpStream server = rt.blockOn(accepted);

                // Polled by hand on the test thread, outside any task: there is no cooperative
                // budget to run out, so pending can only mean that the kernel took no more.
                AtomicInteger wakes = new AtomicInteger();
                Context cx = new Context(wakes::incrementAndGet);
                ByteBuffer chunk = ByteBuffer.allocate(64 * 1024).flip();
                long generated = 0;
                long written = 0;
                for (;;) {
                    if (!chunk.hasRemaining()) {
                        Pattern.fill(chunk.clear(), generated);
                        generated += chunk.flip().remaining();
                    }
                    Poll<Integer> p = client.pollWrite(cx, chunk);
                    if (p.isPending()) {
                        break;
                    }
                    written += p.value();
                    if (written > RUNAWAY) {
                        fail("wrote " + written + " bytes to a peer that reads nothing without ever being told to wait");
                    }
                }
                long bound = Pattern.kernelBufferBound();
                assertTrue(written > 0 && written <= bound, written + " bytes in flight; the kernel's buffers hold at most " + bound);
                assertTrue(client.pollWrite(cx, chunk).isPending(), "still no room");
                assertEquals(0, wakes.get(), "nothing to wake the writer for while the peer does not read");

                JoinHandle<Long> drained = rt.spawn(Pattern.drain(server));
                for (int turns = 0; wakes.get() == 0 && turns < 100_000; turns++) {
                    rt.blockOn(rt.spawn(Async.yieldNow()));
                }
                assertTrue(wakes.get() > 0, "the peer's reads made room, and the reactor woke the writer");

                long end = generated + (16L << 20);
                rt.blockOn(client.writeAll(chunk));
                rt.blockOn(Pattern.write(client, generated, end));
                client.shutdownOutput();
                assertEquals(end, rt.blockOn(drained), "every byte arrived, in order");
                client.close();
                server.close();
            }
        });
    }

    /**
     * A client writing through an {@link Io#copy} proxy to a server that reads nothing: the copy
     * stops reading, so the client is stopped too, with no more in flight than the kernel
     * buffers of two connections and the copy's one buffer.
     */
    @Test
    void aCopyToAPeerThatDoesNotReadStopsItsSourceToo() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                TcpListener sink = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                JoinHandle<TcpStream> sinkSide = rt.spawn(sink.accept());
                TcpListener proxy = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                JoinHandle<Long> copied = rt.spawn(proxy.accept().then(in -> TcpStream.connect(sink.localAddress()).then(out ->
                        Io.copy(in, out).map(n -> {
                            out.shutdownOutput();
                            in.close();
                            out.close();
                            return n;
                        }))));
                TcpStream client = rt.blockOn(TcpStream.connect(proxy.localAddress()));
                TcpStream server = rt.blockOn(sinkSide);

                Context cx = new Context(() -> { });
                ByteBuffer chunk = ByteBuffer.allocate(64 * 1024).flip();
                long generated = 0;
                long written = 0;
                // Write until the client's socket is full, let the proxy run, and again, until
                // the proxy no longer makes room: the whole path is full.
                for (int idle = 0; idle < 50; ) {
                    long before = written;
                    for (Poll<Integer> p; ; ) {
                        if (!chunk.hasRemaining()) {
                            Pattern.fill(chunk.clear(), generated);
                            generated += chunk.flip().remaining();
                        }
                        if ((p = client.pollWrite(cx, chunk)).isPending()) {
                            break;
                        }
                        written += p.value();
                        if (written > RUNAWAY) {
                            fail("wrote " + written + " bytes through a copy to a peer that reads nothing without ever being told to wait");
                        }
                    }
                    rt.blockOn(rt.spawn(Async.yieldNow()));
                    idle = written == before ? idle + 1 : 0;
                }
                long bound = 2 * Pattern.kernelBufferBound() + Io.COPY_MAX_READ_AHEAD;
                assertTrue(written <= bound, written + " bytes in flight; two connections' kernel buffers and the copy's hold at most " + bound);
                assertFalse(copied.isFinished());

                JoinHandle<Long> drained = rt.spawn(Pattern.drain(server));
                rt.blockOn(client.writeAll(chunk));
                client.shutdownOutput();
                assertEquals(generated, rt.blockOn(copied));
                assertEquals(generated, rt.blockOn(drained));
                client.close();
                server.close();
            }
        });
    }
}
