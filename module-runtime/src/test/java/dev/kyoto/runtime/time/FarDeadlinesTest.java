package dev.kyoto.runtime.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Deadlines "practically forever" away never fire, however they are written, and deadlines past
 * the timer wheel's reach fire at their own time, not at the wheel's horizon. All on a paused
 * clock, which moves years in one step.
 */
class FarDeadlinesTest {
    private static final Duration TEN_YEARS = Duration.ofDays(3_652);

    /** Pending for ever. */
    private static <T> Async<T> never() {
        return cx -> Poll.pending();
    }

    static Stream<Named<Supplier<Async<?>>>> forever() {
        return Stream.of(
                Named.of("sleep(Long.MAX_VALUE ns)", () -> Time.sleep(Duration.ofNanos(Long.MAX_VALUE))),
                Named.of("sleep(Long.MAX_VALUE s)", () -> Time.sleep(Duration.ofSeconds(Long.MAX_VALUE))),
                Named.of("sleep(FOREVER)", () -> Time.sleep(ChronoUnit.FOREVER.getDuration())),
                Named.of("sleepUntil(Instant.MAX)", () -> Time.sleepUntil(Instant.MAX)),
                Named.of("timeout(Long.MAX_VALUE ns)", () -> Time.timeout(Duration.ofNanos(Long.MAX_VALUE), never())),
                Named.of("timeout(Long.MAX_VALUE s)", () -> Time.timeout(Duration.ofSeconds(Long.MAX_VALUE), never())),
                Named.of("timeout(FOREVER)", () -> Time.timeout(ChronoUnit.FOREVER.getDuration(), never())),
                Named.of("second tick of interval(Long.MAX_VALUE ns)",
                        () -> secondTick(Time.interval(Duration.ofNanos(Long.MAX_VALUE)))),
                Named.of("second tick of interval(FOREVER)",
                        () -> secondTick(Time.interval(ChronoUnit.FOREVER.getDuration()))),
                Named.of("sleep reset to FOREVER", () -> {
                    Sleep s = Time.sleep(Duration.ofMillis(1));
                    return new Async<Void>() {
                        private boolean reset;

                        @Override
                        public Poll<Void> poll(Context cx) throws Exception {
                            Poll<Void> p = s.poll(cx);
                            if (!reset) {
                                reset = true;
                                s.reset(ChronoUnit.FOREVER.getDuration());
                                return s.poll(cx);
                            }
                            return p;
                        }
                    };
                }));
    }

    /** Completes at the interval's second tick (its first is at once). */
    private static Async<Instant> secondTick(Interval interval) {
        return interval.tick().then(first -> interval.tick());
    }

    /**
     * Polls {@code far} and an hour's timeout side by side, moves the clock ten years on, and
     * reports whether each has completed (by value or by failure).
     */
    private static final class SideBySide implements Async<boolean[]> {
        private final Async<?> far;
        private final Async<?> hour = Time.timeout(Duration.ofHours(1), never());
        private Async<Void> advance;
        private boolean farDone;
        private boolean hourDone;

        SideBySide(Async<?> far) {
            this.far = far;
        }

        @Override
        public Poll<boolean[]> poll(Context cx) throws Exception {
            farDone |= completes(far, cx);
            hourDone |= completes(hour, cx);
            if (advance == null) {
                assertTrue(!farDone && !hourDone, "nothing is due before the clock moves");
                advance = TestClock.advance(TEN_YEARS);
            }
            if (advance.poll(cx).isPending()) {
                return Poll.pending();
            }
            farDone |= completes(far, cx);
            hourDone |= completes(hour, cx);
            return Poll.ready(new boolean[] {farDone, hourDone});
        }

        private static boolean completes(Async<?> a, Context cx) {
            try {
                return a.poll(cx).isReady();
            } catch (Exception e) {
                return true;
            }
        }
    }

    @ParameterizedTest
    @MethodSource("forever")
    void aDeadlinePracticallyForeverAwayNeverFires(Supplier<Async<?>> far) throws Exception {
        try (KyotoRuntime rt = TimeTest.paused()) {
            boolean[] done = rt.blockOn(Async.ready(null).then(v -> new SideBySide(far.get())));
            assertEquals(false, done[0], "still pending ten years on");
            assertEquals(true, done[1], "the hour's timeout fired meanwhile");
        }
    }

    @Test
    void sleepsPastTheWheelsReachFireAtTheirOwnDeadline() throws Exception {
        try (KyotoRuntime rt = TimeTest.paused()) {
            // The wheel reaches 64^6 ms, about 2.18 years, ahead.
            for (Duration d : new Duration[] {Duration.ofDays(800), Duration.ofDays(3 * 365), Duration.ofDays(100 * 365)}) {
                Duration slept = rt.blockOn(Async.ready(null).then(v -> {
                    Instant start = Time.now();
                    return Time.sleep(d).map(x -> Duration.between(start, Time.now()));
                }));
                assertEquals(d, slept);
            }
        }
    }

    @Test
    void aDeadlineLongPastCompletesAtOnce() throws Exception {
        try (KyotoRuntime rt = TimeTest.paused()) {
            Instant before = rt.blockOn(Async.ready(null).map(v -> Time.now()));
            rt.blockOn(Time.sleepUntil(Instant.MIN));
            rt.blockOn(Time.sleep(Duration.ofSeconds(Long.MIN_VALUE)));
            assertEquals(before, rt.blockOn(Async.ready(null).map(v -> Time.now())));
        }
    }
}
