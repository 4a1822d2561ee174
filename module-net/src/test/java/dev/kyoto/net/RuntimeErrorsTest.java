package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Handle;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.Waker;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The error catalogue's I/O rows, each on real sockets. */
class RuntimeErrorsTest {

    private static final Context NOOP = new Context(Waker.noop());

    @Test
    void ioWithNoRuntimeOnTheThreadSaysHowToGetOne() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TcpStream.connect("127.0.0.1:9").poll(NOOP));
        assertTrue(e.getMessage().contains("no Kyoto runtime is running on this thread"), e.getMessage());
        assertTrue(e.getMessage().contains("blockOn"), e.getMessage());
    }

    @Test
    void ioOnARuntimeWithoutIoNamesTheFix() {
        try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().build()) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> rt.blockOn(TcpListener.bind("127.0.0.1:0")));
            assertTrue(e.getMessage().contains("I/O is disabled"), e.getMessage());
            assertTrue(e.getMessage().contains("enableIo()"), e.getMessage());
        }
    }

    @Test
    void registrationAfterShutdownFailsWithTheShutdownError() {
        KyotoRuntime rt = Loopback.runtime();
        Handle handle = rt.handle();
        rt.close();
        try (Handle.EnterGuard g = handle.enter()) {
            IOException e = assertThrows(IOException.class, () -> TcpListener.bind("127.0.0.1:0").poll(NOOP));
            assertTrue(KyotoRuntime.isShutdownError(e), e.toString());
            IOException c = assertThrows(IOException.class, () -> TcpStream.connect("127.0.0.1:9").poll(NOOP));
            assertTrue(KyotoRuntime.isShutdownError(c), c.toString());
        }
    }

    @Test
    void aPendingAcceptFailsWithTheShutdownErrorWhenItsRuntimeShutsDown() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            KyotoRuntime rt = Loopback.runtime();
            TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
            CountDownLatch waiting = new CountDownLatch(1);
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Async<TcpStream> accept = listener.accept();
            Thread acceptor = Thread.ofPlatform().start(() -> {
                try {
                    rt.blockOn(cx -> {
                        Poll<TcpStream> p = accept.poll(cx);
                        waiting.countDown();
                        return p;
                    });
                    outcome.set(new AssertionError("accept completed"));
                } catch (Throwable t) {
                    outcome.set(t);
                }
            });
            waiting.await();
            rt.close();
            acceptor.join();
            assertTrue(KyotoRuntime.isShutdownError(outcome.get()), String.valueOf(outcome.get()));
            listener.close();
        });
    }

    @Test
    void closeCancelsTasksParkedOnIoAndNothingHangs() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            KyotoRuntime rt = Loopback.runtime();
            TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
            TcpStream client = rt.blockOn(TcpStream.connect(listener.localAddress()));
            TcpStream server = rt.blockOn(listener.accept());
            JoinHandle<TcpStream> accepting = rt.spawn(listener.accept());
            JoinHandle<Integer> reading = rt.spawn(server.read(java.nio.ByteBuffer.allocate(16)));
            rt.blockOn(Async.yieldNow());
            assertTrue(!accepting.isFinished() && !reading.isFinished());
            rt.close();
            assertThrows(CancellationException.class, () -> accepting.toCompletableFuture().join());
            assertThrows(CancellationException.class, () -> reading.toCompletableFuture().join());
            client.close();
            server.close();
            listener.close();
        });
    }

    @Test
    void ioOnAStreamAfterShutdownFailsWithTheShutdownError() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            KyotoRuntime rt = Loopback.runtime();
            TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
            TcpStream client = rt.blockOn(TcpStream.connect(listener.localAddress()));
            rt.close();
            IOException e = assertThrows(IOException.class, () -> client.pollRead(NOOP, java.nio.ByteBuffer.allocate(4)));
            assertTrue(KyotoRuntime.isShutdownError(e));
            client.close();
            listener.close();
        });
    }
}
