package dev.kyoto.net.soak;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.net.TcpStream;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.time.Interval;
import dev.kyoto.runtime.time.Time;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The README's echo server on a two-worker runtime keeps echoing, and its timers keep firing,
 * while one worker is stuck in a long poll (a task that blocks its thread): round after round, a
 * task blocks one worker until every client has done its round trips and the server's 10 ms
 * interval has ticked twenty times, which can only happen if the other worker steals what is
 * queued and turns the driver. The clients run on a runtime of their own.
 *
 * <p>module-runtime's {@code StuckWorkerTest} and {@code StallStressTest} prove this for timers
 * and spawned tasks; this is the same with real sockets, at soak scale.
 */
class StuckPollSoakTest {
    private static final int ROUNDS = Soak.size(3, 40);
    private static final int CLIENTS = Soak.size(16, 64);
    private static final int ROUND_TRIPS = Soak.size(50, 500);
    private static final int TICKS = 20;
    /** How long a stuck task blocks its worker at most, and the clients may take: far more than they need. */
    private static final long BOUND_SECONDS = 30;
    private static final Figures FIGURES = Figures.of(StuckPollSoakTest.class);

    @Test
    void theServerEchoesAndItsTimersFireWhileOneWorkerIsStuck() {
        assertTimeoutPreemptively(Duration.ofMinutes(10), () -> {
            try (KyotoRuntime server = Flavour.MULTI_THREAD.build("stuckpoll");
                    KyotoRuntime clients = Flavour.CURRENT_THREAD.build("stuckpoll-clients")) {
                EchoServer echo = EchoServer.start(server);
                List<TcpStream> connections = new ArrayList<>();
                for (int i = 0; i < CLIENTS; i++) {
                    connections.add(clients.blockOn(TcpStream.connect(echo.address())));
                }
                Ticker ticker = new Ticker();
                JoinHandle<Void> ticking = server.spawn(ticker.tickEvery(Time.interval(Duration.ofMillis(10))));
                long[] roundMillis = new long[ROUNDS];
                long worstRoundTrip = 0;
                long worstLateness = 0;
                for (int round = 0; round < ROUNDS; round++) {
                    CountDownLatch stuck = new CountDownLatch(1);
                    CountDownLatch release = new CountDownLatch(1);
                    JoinHandle<Boolean> blocker = server.spawn(cx -> {
                        stuck.countDown();
                        return Poll.ready(release.await(BOUND_SECONDS, TimeUnit.SECONDS));
                    });
                    assertTrue(stuck.await(BOUND_SECONDS, TimeUnit.SECONDS), "round " + round + ": the blocking task never ran");
                    ticker.stuck(true);
                    long ticksBefore = ticker.whileStuck.get();
                    long start = System.nanoTime();
                    AtomicLong worst = new AtomicLong();
                    List<JoinHandle<Void>> running = new ArrayList<>();
                    for (int i = 0; i < CLIENTS; i++) {
                        running.add(clients.spawn(roundTrips(connections.get(i), i, ROUND_TRIPS, worst)));
                    }
                    for (JoinHandle<Void> h : running) {
                        clients.blockOn(Time.timeout(Duration.ofSeconds(BOUND_SECONDS), h));
                    }
                    clients.blockOn(Time.timeout(Duration.ofSeconds(BOUND_SECONDS), ticker.whileStuck.atLeast(ticksBefore + TICKS)));
                    roundMillis[round] = (System.nanoTime() - start) / 1_000_000;
                    ticker.stuck(false);
                    release.countDown();
                    assertTrue(server.blockOn(blocker), "round " + round + ": the stuck task was not released in time");
                    worstRoundTrip = Math.max(worstRoundTrip, worst.get());
                    worstLateness = Math.max(worstLateness, ticker.worstLateness.getAndSet(0));
                }
                ticking.abort();
                for (TcpStream c : connections) {
                    c.close();
                }
                clients.blockOn(Time.timeout(Duration.ofSeconds(BOUND_SECONDS), echo.ended.atLeast(CLIENTS)));
                assertEquals(0, echo.failed.get(), "connections that ended with a failure");
                echo.close();
                Arrays.sort(roundMillis);
                FIGURES.add("%d rounds with one of two workers stuck: %d clients x %d round trips of 64 B, and %d ticks of a 10 ms"
                        + " interval, each round; a round took median %d ms, max %d ms; slowest round trip %.1f ms; latest tick"
                        + " %.1f ms after its time", ROUNDS, CLIENTS, ROUND_TRIPS, TICKS, roundMillis[ROUNDS / 2],
                        roundMillis[ROUNDS - 1], worstRoundTrip / 1e6, worstLateness / 1e6);
            }
        });
    }

    /** Round trips of 64 bytes, each checked; records the slowest in {@code worst} (nanoseconds). */
    private static Async<Void> roundTrips(TcpStream s, int client, int left, AtomicLong worst) {
        if (left == 0) {
            return Async.ready(null);
        }
        byte[] message = new byte[64];
        Arrays.fill(message, (byte) (client + left));
        ByteBuffer echo = ByteBuffer.allocate(64);
        long start = System.nanoTime();
        return s.writeAll(ByteBuffer.wrap(message)).then(v -> s.readExact(echo)).then(v -> {
            worst.accumulateAndGet(System.nanoTime() - start, Math::max);
            assertArrayEquals(message, echo.array(), "client " + client + ": the echo");
            return roundTrips(s, client, left - 1, worst);
        });
    }

    /** The server's interval: counts the ticks while a worker is stuck, and how late the latest came. */
    private static final class Ticker {
        final Counter whileStuck = new Counter();
        final AtomicLong worstLateness = new AtomicLong();
        private volatile boolean stuck;

        void stuck(boolean now) {
            stuck = now;
        }

        Async<Void> tickEvery(Interval interval) {
            return interval.tick().then(at -> {
                if (stuck) {
                    worstLateness.accumulateAndGet(Duration.between(at, Time.now()).toNanos(), Math::max);
                    whileStuck.increment();
                }
                return tickEvery(interval);
            });
        }
    }
}
