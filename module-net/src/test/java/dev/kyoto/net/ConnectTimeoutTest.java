package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.KyotoRuntime;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Connect timeouts without any outside network: a connect to a {@link Blackhole} stays pending
 * until the timeout fires.
 */
class ConnectTimeoutTest {

    static Stream<Named<Supplier<KyotoRuntime>>> flavours() {
        return Stream.of(
                Named.of("current-thread", () -> KyotoRuntime.builder().currentThread().enableAll().build()),
                Named.of("multi-thread", () -> KyotoRuntime.builder().multiThread().workerThreads(2).enableAll().build()));
    }

    @ParameterizedTest
    @MethodSource("flavours")
    void aConnectToAFullListenerTimesOutOnTimeAndClosesItsSocket(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = flavour.get(); Blackhole hole = new Blackhole()) {
                Duration limit = Duration.ofMillis(200);
                long before = Loopback.awaitDescriptors(rt, Loopback.openDescriptors());
                long t0 = System.nanoTime();
                SocketTimeoutException e = assertThrows(SocketTimeoutException.class,
                        () -> rt.blockOn(TcpStream.connect(hole.address(), limit)));
                long lateMs = (System.nanoTime() - t0) / 1_000_000 - limit.toMillis();
                assertTrue(e.getMessage().contains(String.valueOf(hole.address().getPort())), e.getMessage());
                assertTrue(e.getMessage().contains("200 ms"), e.getMessage());
                assertTrue(lateMs >= 0, "fired " + -lateMs + " ms early");
                assertTrue(lateMs < 50, "fired " + lateMs + " ms after its deadline");
                assertEquals(before, Loopback.awaitDescriptors(rt, before), "the half-open socket was closed");
                // And its registration given back (on io_uring, once the cancelled CONNECT and the
                // CLOSE behind it have completed).
                long registered = rt.ioDriverMetrics().orElseThrow().registeredCount();
                for (int turns = 0; registered != 0 && turns < 10_000; turns++) {
                    rt.blockOn(rt.spawn(Async.yieldNow()));
                    registered = rt.ioDriverMetrics().orElseThrow().registeredCount();
                }
                assertEquals(0, registered, "registrations left by the abandoned connect");
            }
        });
    }

    @Test
    void everyAddressFormTakesATimeout() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Blackhole hole = new Blackhole()) {
                int port = hole.address().getPort();
                Duration limit = Duration.ofMillis(50);
                assertThrows(SocketTimeoutException.class, () -> rt.blockOn(TcpStream.connect("127.0.0.1:" + port, limit)));
                assertThrows(SocketTimeoutException.class, () -> rt.blockOn(TcpStream.connect("local.kyoto.test", port, limit)));
                assertThrows(SocketTimeoutException.class, () -> rt.blockOn(TcpStream.connect(List.of(hole.address()), limit)));
                TcpListener open = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                try (TcpStream s = rt.blockOn(TcpStream.connect(open.localAddress(), Duration.ofSeconds(5)))) {
                    assertEquals(open.localAddress(), s.peerAddress(), "a connect that succeeds in time is not disturbed");
                }
                open.close();
            }
        });
    }

    @Test
    void aConnectTimeoutNeedsTimers() {
        try (KyotoRuntime rt = KyotoRuntime.builder().enableIo().build()) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> rt.blockOn(TcpStream.connect("127.0.0.1:9", Duration.ofSeconds(1))));
            assertTrue(e.getMessage().contains("enableTime()"), e.getMessage());
        }
    }
}
