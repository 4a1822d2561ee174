package dev.kyoto.net.soak;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.net.Blackhole;
import dev.kyoto.net.TcpConnector;
import dev.kyoto.net.TcpStream;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.time.Time;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Connects abandoned before they complete, by the thousand: to a {@link Blackhole} (a loopback
 * listener whose accept queue is full, so the kernel drops the SYN and the connect stays
 * pending), given up by {@link Time#timeout}, by the connect's own timeout, by aborting the task,
 * or by a Happy Eyeballs connector's timeout with an attempt under way on each of 127.0.0.1 and
 * ::1. Each time, the half-open socket must be closed and deregistered: the descriptors and
 * registrations are counted after every single connect, not only at the end.
 */
class AbandonedConnectSoakTest {
    private static final int CONNECTS = Soak.size(200, 10_000);
    /** One connect in this many is a Happy Eyeballs one, which takes longer (its second attempt starts after 10 ms). */
    private static final int EYEBALLS_EVERY = 20;
    private static final Duration GIVE_UP = Duration.ofMillis(1);
    private static final Figures FIGURES = Figures.of(AbandonedConnectSoakTest.class);

    @ParameterizedTest(name = "{0}")
    @EnumSource(Flavour.class)
    void everyAbandonedConnectClosesItsSocket(Flavour flavour) {
        assertTimeoutPreemptively(Duration.ofMinutes(5), () -> {
            try (KyotoRuntime rt = flavour.build("abandon"); Blackhole v4 = new Blackhole();
                    Blackhole v6 = new Blackhole(InetAddress.getByName("::1"))) {
                InetSocketAddress hole = v4.address();
                TcpConnector eyeballs = TcpConnector.builder().attemptDelay(TcpConnector.MIN_ATTEMPT_DELAY)
                        .timeout(TcpConnector.MIN_ATTEMPT_DELAY.multipliedBy(2)).build();
                List<InetSocketAddress> both = List.of(v6.address(), hole);
                Descriptors.Baseline base = Descriptors.baseline(rt);
                Counter parked = new Counter();
                int[] byWay = new int[4];
                long start = System.nanoTime();
                for (int i = 0; i < CONNECTS; i++) {
                    int way = i % EYEBALLS_EVERY == EYEBALLS_EVERY - 1 ? 3 : i % 3;
                    byWay[way]++;
                    switch (way) {
                        case 0 -> assertThrows(TimeoutException.class, () -> rt.blockOn(Time.timeout(GIVE_UP, TcpStream.connect(hole))),
                                "connect " + i);
                        case 1 -> assertThrows(SocketTimeoutException.class, () -> rt.blockOn(TcpStream.connect(hole, GIVE_UP)),
                                "connect " + i);
                        case 2 -> {
                            long pending = parked.get() + 1;
                            Parked<TcpStream> connect = new Parked<>(TcpStream.connect(hole), parked);
                            JoinHandle<TcpStream> h = rt.spawn(connect);
                            rt.blockOn(parked.atLeast(pending));
                            h.abort();
                            assertThrows(CancellationException.class, () -> rt.blockOn(h), "connect " + i);
                            assertTrue(connect.cancelled, "connect " + i + ": the aborted connect was not cancelled");
                        }
                        default -> assertInstanceOf(SocketTimeoutException.class,
                                assertThrows(Exception.class, () -> rt.blockOn(eyeballs.connect(both))), "connect " + i);
                    }
                    Descriptors.awaitBack(rt, base, "abandoned connect " + i);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                FIGURES.add("%s: %,d connects abandoned in %.1f s (%,d by Time.timeout after 1 ms, %,d by the connect's own"
                        + " 1 ms timeout, %,d by aborting the task, %,d Happy Eyeballs over ::1 and 127.0.0.1 given up after"
                        + " 20 ms); descriptors %d and registrations %d after every one", flavour, CONNECTS, seconds,
                        byWay[0], byWay[1], byWay[2], byWay[3], base.fds(), base.registrations());
            }
        });
    }
}
