package dev.kyoto.runtime.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Handle;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.spi.Coop;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TimeTest {

    static KyotoRuntime paused() {
        return KyotoRuntime.builder().currentThread().enableTime().startPaused(true).build();
    }

    static Stream<Named<Supplier<KyotoRuntime>>> realClock() {
        return Stream.of(
                Named.of("current-thread", () -> KyotoRuntime.builder().currentThread().enableTime().build()),
                Named.of("multi-thread", () -> KyotoRuntime.builder().multiThread().workerThreads(2).enableTime().build()));
    }

    @ParameterizedTest
    @MethodSource("realClock")
    void aSleepNeverCompletesBeforeItsDeadline(Supplier<KyotoRuntime> flavour) throws Exception {
        try (KyotoRuntime rt = flavour.get()) {
            long t0 = System.nanoTime();
            rt.blockOn(Time.sleep(Duration.ofMillis(30)));
            assertTrue(System.nanoTime() - t0 >= 30_000_000L);
            long t1 = System.nanoTime();
            rt.blockOn(rt.spawn(Time.sleep(Duration.ofMillis(20))));
            assertTrue(System.nanoTime() - t1 >= 20_000_000L);
        }
    }

    @Test
    void aPausedRuntimeJumpsStraightToItsNextTimer() {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            try (KyotoRuntime rt = paused()) {
                Instant[] before = new Instant[1];
                Instant after = rt.blockOn(Async.ready(null).then(v -> {
                    before[0] = Time.now();
                    return Time.sleep(Duration.ofHours(1));
                }).map(v -> Time.now()));
                assertEquals(Duration.ofHours(1), Duration.between(before[0], after));
            }
        });
    }

    @Test
    void sleepsBeyondTheFirstLevelsOfTheWheelFireAtTheirDeadline() throws Exception {
        try (KyotoRuntime rt = paused()) {
            for (Duration d : List.of(Duration.ofMillis(63), Duration.ofMillis(64), Duration.ofSeconds(5),
                    Duration.ofMinutes(90), Duration.ofDays(3), Duration.ofDays(400))) {
                Duration slept = rt.blockOn(Async.ready(null).then(v -> {
                    Instant start = Time.now();
                    return Time.sleep(d).map(x -> Duration.between(start, Time.now()));
                }));
                assertTrue(slept.compareTo(d) >= 0 && slept.compareTo(d.plusMillis(1)) <= 0, d + " slept " + slept);
            }
        }
    }

    @Test
    void manyTimersFireInDeadlineOrderAndEqualDeadlinesInSpawnOrder() throws Exception {
        try (KyotoRuntime rt = paused()) {
            SplittableRandom random = new SplittableRandom(3);
            List<Integer> order = Collections.synchronizedList(new ArrayList<>());
            List<long[]> plan = new ArrayList<>();
            List<JoinHandle<Void>> handles = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                long ms = random.nextInt(1, 50) * 10L;
                plan.add(new long[] {ms, i});
                int id = i;
                handles.add(rt.spawn(Time.sleep(Duration.ofMillis(ms)).map(v -> {
                    order.add(id);
                    return null;
                })));
            }
            for (JoinHandle<Void> h : handles) {
                rt.blockOn(h);
            }
            plan.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
            List<Integer> expected = plan.stream().map(p -> (int) p[1]).toList();
            assertEquals(expected, order);
        }
    }

    @Test
    void resetMovesTheDeadlineEarlierAndLater() throws Exception {
        try (KyotoRuntime rt = paused()) {
            Duration later = rt.blockOn(Async.ready(null).then(v -> {
                Instant start = Time.now();
                Sleep s = Time.sleep(Duration.ofMillis(100));
                return cx -> {
                    Poll<Void> p = s.poll(cx);
                    if (p.isPending() && Duration.between(start, Time.now()).isZero()) {
                        s.reset(Duration.ofMillis(250));
                    }
                    return p.isReady() ? Poll.ready(Duration.between(start, Time.now())) : Poll.pending();
                };
            }));
            assertEquals(Duration.ofMillis(250), later);
            Duration earlier = rt.blockOn(Async.ready(null).then(v -> {
                Instant start = Time.now();
                Sleep s = Time.sleep(Duration.ofSeconds(10));
                boolean[] reset = {false};
                return cx -> {
                    Poll<Void> p = s.poll(cx);
                    if (p.isPending() && !reset[0]) {
                        reset[0] = true;
                        s.reset(Duration.ofMillis(5));
                    }
                    return p.isReady() ? Poll.ready(Duration.between(start, Time.now())) : Poll.pending();
                };
            }));
            assertEquals(Duration.ofMillis(5), earlier);
        }
    }

    @Test
    void aTimeoutAroundAReadyComputationReturnsItsValue() throws Exception {
        try (KyotoRuntime rt = paused()) {
            assertEquals("now", rt.blockOn(Time.timeout(Duration.ZERO, Async.ready("now"))));
        }
    }

    @Test
    void anExpiredTimeoutCancelsTheComputationAndThrows() throws Exception {
        try (KyotoRuntime rt = paused()) {
            AtomicInteger cancels = new AtomicInteger();
            Async<String> never = new Async<>() {
                @Override
                public Poll<String> poll(Context cx) {
                    return Poll.pending();
                }

                @Override
                public void cancel() {
                    cancels.incrementAndGet();
                }
            };
            TimeoutException e = assertThrows(TimeoutException.class,
                    () -> rt.blockOn(Time.timeout(Duration.ofSeconds(30), never)));
            assertTrue(e.getMessage().contains("PT30S"), e.getMessage());
            assertEquals(1, cancels.get());
        }
    }

    /**
     * On the real clock: a paused clock jumps only when the runtime is idle, and a computation that
     * always has work keeps it busy, which is exactly the case here.
     */
    @Test
    void aTimeoutFiresEvenWhenTheComputationSpendsTheWholeBudget() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().enableTime().build()) {
            Async<String> greedy = cx -> {
                while (Coop.proceed(cx)) {
                    // always ready work, until the budget says stop
                }
                return Poll.pending();
            };
                assertThrows(TimeoutException.class, () -> rt.blockOn(rt.spawn(Time.timeout(Duration.ofMillis(10), greedy))));
            }
        });
    }

    // Each entry is "completed@scheduled", in ms from the start.

    @Test
    void intervalBurstCatchesUpKeepingTheSchedule() throws Exception {
        assertEquals(List.of("0@0", "350@100", "350@200", "350@300", "400@400"), ticksAfterAStall(MissedTickBehavior.BURST));
    }

    @Test
    void intervalDelayShiftsTheSchedule() throws Exception {
        assertEquals(List.of("0@0", "350@100", "450@450", "550@550", "650@650"), ticksAfterAStall(MissedTickBehavior.DELAY));
    }

    @Test
    void intervalSkipDropsMissedTicks() throws Exception {
        assertEquals(List.of("0@0", "350@100", "400@400", "500@500", "600@600"), ticksAfterAStall(MissedTickBehavior.SKIP));
    }

    /** Ticks every 100 ms, stalls 350 ms after the first tick, records when each tick completed and was scheduled. */
    private static List<String> ticksAfterAStall(MissedTickBehavior behavior) throws Exception {
        try (KyotoRuntime rt = paused()) {
            return rt.blockOn(Async.ready(null).then(v -> {
                Instant start = Time.now();
                Interval interval = Time.interval(Duration.ofMillis(100));
                interval.setMissedTickBehavior(behavior);
                List<String> at = new ArrayList<>();
                return collect(interval, start, at, 5);
            }));
        }
    }

    private static Async<List<String>> collect(Interval interval, Instant start, List<String> at, int n) {
        if (at.size() == n) {
            return Async.ready(at);
        }
        return interval.tick().then(t -> {
            at.add(Duration.between(start, Time.now()).toMillis() + "@" + Duration.between(start, t).toMillis());
            Async<Void> pause = at.size() == 1 ? TestClock.advance(Duration.ofMillis(350)) : Async.ready(null);
            return pause.then(v -> collect(interval, start, at, n));
        });
    }

    @Test
    void intervalResetWaitsAWholePeriodFromNow() throws Exception {
        try (KyotoRuntime rt = paused()) {
            long waited = rt.blockOn(Async.ready(null).then(v -> {
                Interval interval = Time.interval(Duration.ofMillis(100));
                return interval.tick().then(first -> TestClock.advance(Duration.ofMillis(30)))
                        .then(x -> {
                            Instant resetAt = Time.now();
                            interval.reset();
                            return interval.tick().map(t -> Duration.between(resetAt, Time.now()).toMillis());
                        });
            }));
            assertEquals(100, waited);
        }
    }

    @Test
    void advanceFiresEveryTimerNowDue() throws Exception {
        try (KyotoRuntime rt = paused()) {
            AtomicInteger fired = new AtomicInteger();
            for (int i = 1; i <= 10; i++) {
                rt.spawn(Time.sleep(Duration.ofMillis(i * 10)).map(v -> fired.incrementAndGet()));
            }
            rt.blockOn(Async.yieldNow());
            assertEquals(0, fired.get());
            rt.blockOn(Async.ready(null).then(v -> TestClock.advance(Duration.ofMillis(55))));
            rt.blockOn(Async.yieldNow());
            assertEquals(5, fired.get());
        }
    }

    @Test
    void timersOnARuntimeWithoutTimeNameTheFix() {
        try (KyotoRuntime rt = KyotoRuntime.builder().build()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> rt.blockOn(Time.sleep(Duration.ofMillis(1))));
            assertTrue(e.getMessage().contains("enableTime()"), e.getMessage());
            // Also a timeout whose computation is ready at once: whether it is must not decide
            // whether the mistake shows.
            e = assertThrows(IllegalStateException.class, () -> rt.blockOn(Time.timeout(Duration.ofSeconds(1), Async.ready(1))));
            assertTrue(e.getMessage().contains("enableTime()"), e.getMessage());
        }
    }

    @Test
    void timersOutsideARuntimeSayHowToGetOne() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Time.sleep(Duration.ofMillis(1)).poll(new Context(dev.kyoto.runtime.Waker.noop())));
        assertTrue(e.getMessage().contains("no Kyoto runtime"), e.getMessage());
    }

    @Test
    void pausingAMultiThreadRuntimeIsRefused() throws Exception {
        assertThrows(IllegalStateException.class,
                () -> KyotoRuntime.builder().multiThread().workerThreads(1).startPaused(true).build());
        try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(1).enableTime().build()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> rt.blockOn(cx -> {
                TestClock.pause();
                return Poll.ready(null);
            }));
            assertTrue(e.getMessage().contains("current-thread"), e.getMessage());
        }
    }

    @ParameterizedTest
    @MethodSource("realClock")
    void aPendingSleepFailsWithTheShutdownErrorWhenItsRuntimeCloses(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            KyotoRuntime rt = flavour.get();
            CountDownLatch waiting = new CountDownLatch(1);
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Sleep long_ = Time.sleep(Duration.ofHours(1));
            Thread sleeper = Thread.ofPlatform().start(() -> {
                try {
                    rt.blockOn(cx -> {
                        Poll<Void> p = long_.poll(cx);
                        waiting.countDown();
                        return p;
                    });
                } catch (Throwable t) {
                    outcome.set(t);
                }
            });
            waiting.await();
            rt.close();
            sleeper.join();
            assertTrue(dev.kyoto.runtime.spi.RuntimeShutdown.isShutdownError(outcome.get()), String.valueOf(outcome.get()));
            IOException later = assertThrows(IOException.class, () -> {
                try (Handle.EnterGuard g = rt.handle().enter()) {
                    Time.sleep(Duration.ofMillis(1)).poll(new Context(dev.kyoto.runtime.Waker.noop()));
                }
            });
            assertTrue(KyotoRuntime.isShutdownError(later));
        });
    }

    @Test
    void thousandsOfRealTimersOnAMultiThreadRuntimeAllFire() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(4).enableTime().build()) {
                SplittableRandom random = new SplittableRandom(11);
                List<JoinHandle<Integer>> all = new ArrayList<>();
                for (int i = 0; i < 5_000; i++) {
                    int id = i;
                    all.add(rt.spawn(Time.sleep(Duration.ofMillis(random.nextInt(0, 200))).map(v -> id)));
                }
                for (int i = 0; i < all.size(); i++) {
                    int v = rt.blockOn(all.get(i));
                    assertEquals(i, v);
                }
            }
        });
    }
}
