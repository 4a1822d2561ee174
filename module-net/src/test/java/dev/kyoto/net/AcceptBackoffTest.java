package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.io.AsyncRead;
import dev.kyoto.io.AsyncWrite;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.Waker;
import dev.kyoto.runtime.time.Time;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AcceptBackoff with real listeners: the process really runs out of descriptors
 * ({@link DescriptorLimit}), the accept fails with {@code EMFILE}, the back-off reports it, pauses
 * 5 ms, 10 ms, ... and accepts the waiting connection once descriptors are back; a closed listener
 * or a runtime shutting down ends accepting at once.
 */
class AcceptBackoffTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    /** What the back-off reported, and a way for the test to wait for it. */
    private static final class Reports {
        final List<IOException> failures = new ArrayList<>();
        final List<Duration> pauses = new ArrayList<>();
        private Waker waiter;

        void failed(IOException failure, Duration pause) {
            failures.add(failure);
            pauses.add(pause);
            if (waiter != null) {
                waiter.wake();
            }
        }

        /** Completes once {@code n} failures have been reported in all. */
        Async<Void> count(int n) {
            return cx -> {
                if (failures.size() >= n) {
                    return Poll.ready(null);
                }
                waiter = cx.waker();
                return Poll.pending();
            };
        }
    }

    @Test
    void aTcpAcceptRidesOutRunningOutOfDescriptors() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"))) {
                Reports reports = new Reports();
                AcceptBackoff backoff = new AcceptBackoff(reports::failed);
                for (int round = 0; round < 3; round++) {
                    try (Socket client = new Socket(InetAddress.getLoopbackAddress(), listener.localAddress().getPort())) {
                        TcpStream accepted = round == 0 ? rt.blockOn(backoff.accept(listener))
                                : rideOut(rt, reports, round, () -> backoff.accept(listener));
                        client.getOutputStream().write(ascii("hello"));
                        assertArrayEquals(ascii("hello"), readExact(rt, accepted, 5), "the connection that waited is served");
                        accepted.close();
                    }
                }
            }
        });
    }

    @Test
    void aUnixAcceptRidesOutRunningOutOfDescriptors() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); UnixListener listener = rt.blockOn(UnixListener.bind(dir.resolve("b.sock")))) {
                Reports reports = new Reports();
                AcceptBackoff backoff = new AcceptBackoff(reports::failed);
                for (int round = 0; round < 3; round++) {
                    try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                        client.connect(listener.localAddress());
                        UnixStream accepted = round == 0 ? rt.blockOn(backoff.accept(listener))
                                : rideOut(rt, reports, round, () -> backoff.accept(listener));
                        client.write(asciiBuffer("hello"));
                        assertArrayEquals(ascii("hello"), readExact(rt, accepted, 5), "the connection that waited is served");
                        accepted.close();
                    }
                }
            }
        });
    }

    /**
     * With a connection waiting in the backlog: accepts out of descriptors until two failures
     * have been reported, puts the descriptors back and expects the connection, from the same
     * accept. Each round's pauses start at 5 ms again, since the accept before it succeeded.
     * Round 0 accepts with descriptors to spare, so that every class an accept needs is loaded
     * (the module's classes are files in a directory here, and reading one takes a descriptor).
     */
    private static <S extends AutoCloseable> S rideOut(KyotoRuntime rt, Reports reports, int round,
            java.util.function.Supplier<Async<S>> accept) throws Throwable {
        int before = reports.failures.size();
        Async<S> accepting = accept.get();
        outOfDescriptors(rt, accepting, reports.count(before + 2));
        S accepted = rt.blockOn(accepting);
        assertTrue(reports.failures.size() >= before + 2, "round " + round + ": " + reports.failures);
        for (IOException f : reports.failures.subList(before, reports.failures.size())) {
            assertEquals("Too many open files", f.getMessage(), "round " + round);
        }
        assertEquals(List.of(Duration.ofMillis(5), Duration.ofMillis(10)), reports.pauses.subList(before, before + 2),
                "round " + round + ": the pauses double, and start again after a success");
        return accepted;
    }

    /**
     * Polls {@code accepting} with the process out of descriptors until {@code failures}
     * completes. The accept must not complete meanwhile; if it fails (a class it needed could not
     * be loaded, say), the test fails with its error instead of waiting for ever.
     */
    private static <S> void outOfDescriptors(KyotoRuntime rt, Async<S> accepting, Async<Void> failures) throws Throwable {
        // Loads the timer's classes while they can still be read.
        rt.blockOn(Time.sleep(Duration.ofMillis(1)));
        Async<Boolean> acceptedFirst = cx -> {
            if (accepting.poll(cx).isReady()) {
                return Poll.ready(true);
            }
            return failures.poll(cx).isReady() ? Poll.ready(false) : Poll.pending();
        };
        boolean accepted;
        try (DescriptorLimit none = DescriptorLimit.exhausted()) {
            accepted = rt.blockOn(acceptedFirst);
        }
        assertFalse(accepted, "accepted a connection while out of descriptors");
    }

    @Test
    void thePausesDoubleUpToOneSecond() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().enableAll().startPaused(true).build();
                    TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"))) {
                Reports reports = new Reports();
                AcceptBackoff backoff = new AcceptBackoff(reports::failed);
                try (Socket client = new Socket(InetAddress.getLoopbackAddress(), listener.localAddress().getPort())) {
                    Async<TcpStream> accepting = backoff.accept(listener);
                    // The paused clock jumps from pause to pause: 5 ms ... 1 s, then 1 s again.
                    outOfDescriptors(rt, accepting, reports.count(10));
                    rt.blockOn(accepting).close();
                }
                assertEquals(List.of(5L, 10L, 20L, 40L, 80L, 160L, 320L, 640L, 1000L, 1000L),
                        reports.pauses.subList(0, 10).stream().map(Duration::toMillis).toList());
            }
        });
    }

    @Test
    void aClosedListenerEndsAcceptingWithoutAReport() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                Reports reports = new Reports();
                JoinHandle<TcpStream> accepting = rt.spawn(new AcceptBackoff(reports::failed).accept(listener));
                rt.blockOn(Async.yieldNow());
                listener.close();
                assertEquals("listener closed", assertThrows(IOException.class, () -> rt.blockOn(accepting)).getMessage());
                assertEquals(List.of(), reports.failures);
                assertEquals("listener closed", assertThrows(IOException.class,
                        () -> rt.blockOn(new AcceptBackoff(reports::failed).accept(listener))).getMessage(),
                        "an accept on a closed listener fails at once");
            }
        });
    }

    /**
     * Closing from another thread while a worker accepts: the accept wakes to "listener closed"
     * as the socket is deregistered, before it is closed, and must not take that for a failure to
     * ride out (a warning, a pause, another try).
     */
    @Test
    void closingFromAnotherThreadEndsAcceptingWithoutAReport() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(2).enableAll().build()) {
                for (int i = 0; i < 500; i++) {
                    TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                    Reports reports = new Reports();
                    JoinHandle<TcpStream> accepting = rt.spawn(new AcceptBackoff(reports::failed).accept(listener));
                    if (i % 2 == 0) {
                        rt.blockOn(Async.yieldNow());
                    }
                    listener.close();
                    IOException e = assertThrows(IOException.class, () -> rt.blockOn(accepting));
                    assertEquals("listener closed", e.getMessage(), "iteration " + i);
                    assertEquals(List.of(), reports.failures, "iteration " + i);
                }
            }
        });
    }

    @Test
    void aRuntimeShuttingDownEndsAcceptingWithTheShutdownError() {
        assertTimeoutPreemptively(LIMIT, () -> {
            KyotoRuntime rt = Loopback.runtime();
            TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
            Reports reports = new Reports();
            Async<TcpStream> accept = new AcceptBackoff(reports::failed).accept(listener);
            CountDownLatch waiting = new CountDownLatch(1);
            AtomicReference<Throwable> outcome = new AtomicReference<>();
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
            assertEquals(List.of(), reports.failures);
            listener.close();
        });
    }

    @Test
    void aRuntimeWithoutTimersIsRefusedAtTheFirstPollNotAtTheFirstFailure() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().enableIo().build();
                    TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"))) {
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> rt.blockOn(new AcceptBackoff((f, p) -> { }).accept(listener)));
                assertTrue(e.getMessage().contains("enableTime()"), e.getMessage());
            }
        });
    }

    private static <S extends AsyncRead & AsyncWrite> byte[] readExact(KyotoRuntime rt, S stream, int n) throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(n);
        rt.blockOn(stream.readExact(buf));
        return buf.array();
    }

    private static ByteBuffer asciiBuffer(String s) {
        return ByteBuffer.wrap(ascii(s));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
