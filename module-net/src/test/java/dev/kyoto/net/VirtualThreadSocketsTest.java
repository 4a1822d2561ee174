package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Handle;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sockets in straight-line code: virtual tasks that {@code await()} Kyoto's accepts, connects,
 * reads and writes, with a multi-thread runtime's reactor underneath. Release is proven by
 * counting the process's descriptors.
 */
@Timeout(120)
class VirtualThreadSocketsTest {

    @BeforeAll
    static void openTheJdksOwnDescriptors() throws Exception {
        Loopback.openJdkPreCloseDescriptor();
        Loopback.openJdkVirtualThreadPollers();
    }

    private static KyotoRuntime runtime() {
        return runtime(false);
    }

    private static KyotoRuntime runtime(boolean virtualThreadWorkers) {
        KyotoRuntime.Builder b = KyotoRuntime.builder().multiThread().workerThreads(2).enableAll();
        return (virtualThreadWorkers ? b.virtualThreadWorkers() : b).build();
    }

    /** The echo of one connection, as a virtual task writes it. */
    private static Void echo(TcpStream stream) throws Exception {
        try (stream) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(16 * 1024);
            while (stream.read(buffer).await() >= 0) {
                stream.writeAll(buffer.flip()).await();
                buffer.clear();
            }
        }
        return null;
    }

    /** A computation whose first pending poll counts a latch down: the sign that a thread waits in it. */
    private static <T> Async<T> signalling(Async<T> inner, CountDownLatch waiting) {
        return new Async<>() {
            @Override
            public Poll<T> poll(Context cx) throws Exception {
                Poll<T> p = inner.poll(cx);
                if (p.isPending()) {
                    waiting.countDown();
                }
                return p;
            }

            @Override
            public void cancel() {
                inner.cancel();
            }
        };
    }

    @ParameterizedTest(name = "virtual-thread workers: {0}")
    @ValueSource(booleans = {false, true})
    void anEchoServerAndItsClientsWrittenAsPlainLoopsOnVirtualThreads(boolean virtualThreadWorkers) throws Exception {
        int clients = 50;
        int roundTrips = 100;
        try (KyotoRuntime rt = runtime(virtualThreadWorkers)) {
            long before = Loopback.awaitDescriptors(rt, Loopback.openDescriptors());
            TcpListener listener = rt.blockOn(TcpListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
            List<JoinHandle<Void>> echoes = new java.util.concurrent.CopyOnWriteArrayList<>();
            CountDownLatch accepted = new CountDownLatch(clients);
            JoinHandle<Void> server = rt.spawnVirtual("accept loop", () -> {
                try (listener) {
                    for (;;) {
                        TcpStream s = listener.accept().await();
                        echoes.add(Handle.current().spawnVirtual(() -> echo(s)));
                        accepted.countDown();
                    }
                }
            });
            InetSocketAddress address = (InetSocketAddress) listener.localAddress();
            List<JoinHandle<Integer>> running = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                running.add(rt.spawnVirtual(() -> {
                    try (TcpStream s = TcpStream.connect(address).await()) {
                        ByteBuffer reply = ByteBuffer.allocate(64);
                        for (int i = 0; i < roundTrips; i++) {
                            byte[] message = ("client " + client + " message " + i).getBytes(StandardCharsets.US_ASCII);
                            s.writeAll(ByteBuffer.wrap(message)).await();
                            reply.clear().limit(message.length);
                            s.readExact(reply).await();
                            assertArrayEquals(message, java.util.Arrays.copyOf(reply.array(), message.length));
                        }
                        return roundTrips;
                    }
                }));
            }
            int total = 0;
            for (JoinHandle<Integer> h : running) {
                total += rt.blockOn(h);
            }
            assertEquals(clients * roundTrips, total);
            // Each echo ends, closing its socket, once it has read its client's end of stream.
            accepted.await();
            assertEquals(clients, echoes.size());
            for (JoinHandle<Void> echo : echoes) {
                rt.blockOn(echo);
            }
            server.abort();
            assertThrows(CancellationException.class, () -> rt.blockOn(server));
            assertEquals(before, Loopback.awaitDescriptors(rt, before),
                    "the listener and every connection were closed by try-with-resources");
        }
    }

    @Test
    void aConnectTimeoutAwaitedOnAVirtualThreadFailsOnTimeAndClosesItsSocket() throws Exception {
        try (KyotoRuntime rt = runtime(); Blackhole hole = new Blackhole()) {
            long before = Loopback.awaitDescriptors(rt, Loopback.openDescriptors());
            TcpConnector connector = TcpConnector.builder().timeout(Duration.ofMillis(100)).build();
            JoinHandle<Throwable> attempt = rt.spawnVirtual(() -> {
                try (TcpStream s = connector.connect(hole.address()).await()) {
                    return null;
                } catch (SocketTimeoutException e) {
                    return e;
                }
            });
            Throwable e = rt.blockOn(attempt);
            assertInstanceOf(SocketTimeoutException.class, e);
            assertTrue(e.getMessage().contains("100 ms"), e.getMessage());
            assertEquals(before, Loopback.awaitDescriptors(rt, before), "the half-open socket was closed");
        }
    }

    @Test
    void abortingAVirtualTaskBlockedInAReadClosesItsSocketAndThePeerSeesTheEnd() throws Exception {
        try (KyotoRuntime rt = runtime()) {
            long before = Loopback.awaitDescriptors(rt, Loopback.openDescriptors());
            TcpListener listener = rt.blockOn(TcpListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
            CountDownLatch reading = new CountDownLatch(1);
            JoinHandle<Void> quiet = rt.spawnVirtual(() -> {
                try (TcpStream s = TcpStream.connect(listener.localAddress()).await()) {
                    signalling(s.read(ByteBuffer.allocate(16)), reading).await();
                }
                return null;
            });
            try (TcpStream accepted = rt.blockOn(listener.accept())) {
                reading.await();
                quiet.abort();
                assertThrows(CancellationException.class, () -> rt.blockOn(quiet));
                assertEquals(-1, rt.blockOn(accepted.read(ByteBuffer.allocate(16))), "the aborted side closed its socket");
            }
            listener.close();
            assertEquals(before, Loopback.awaitDescriptors(rt, before));
        }
    }

    @Test
    void anInterruptedAcceptThrowsInterruptedExceptionAndLeavesTheListenerUsable() throws Exception {
        try (KyotoRuntime rt = runtime();
                TcpListener listener = rt.blockOn(TcpListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))) {
            CountDownLatch accepting = new CountDownLatch(1);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread waiter = Thread.ofVirtual().start(() -> {
                try (Handle.EnterGuard g = rt.handle().enter()) {
                    signalling(listener.accept(), accepting).await();
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            accepting.await();
            waiter.interrupt();
            waiter.join();
            assertInstanceOf(InterruptedException.class, thrown.get());
            JoinHandle<String> again = rt.spawnVirtual(() -> {
                try (TcpStream s = listener.accept().await()) {
                    return "accepted";
                }
            });
            try (TcpStream client = rt.blockOn(TcpStream.connect(listener.localAddress()))) {
                assertEquals("accepted", rt.blockOn(again));
            }
        }
    }

    @ParameterizedTest(name = "virtual-thread workers: {0}")
    @ValueSource(booleans = {false, true})
    void shutdownWithVirtualTasksBlockedInReadsClosesEverySocket(boolean virtualThreadWorkers) throws Exception {
        int connections = 20;
        // Counted before the runtime is built: close() closes the runtime's own selector too.
        long before = Loopback.openDescriptors();
        KyotoRuntime rt = runtime(virtualThreadWorkers);
        TcpListener listener = rt.blockOn(TcpListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        CountDownLatch reading = new CountDownLatch(2 * connections);
        rt.spawnVirtual(() -> {
            try (listener) {
                for (;;) {
                    TcpStream s = listener.accept().await();
                    Handle.current().spawnVirtual(() -> {
                        try (s) {
                            return signalling(s.read(ByteBuffer.allocate(16)), reading).await();
                        }
                    });
                }
            }
        });
        for (int i = 0; i < connections; i++) {
            rt.spawnVirtual(() -> {
                try (TcpStream s = TcpStream.connect(listener.localAddress()).await()) {
                    return signalling(s.read(ByteBuffer.allocate(16)), reading).await();
                }
            });
        }
        reading.await();
        rt.close();
        assertEquals(before, Loopback.openDescriptors(), "close() returned with every socket of every virtual task closed");
    }
}
