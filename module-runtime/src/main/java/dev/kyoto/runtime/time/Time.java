package dev.kyoto.runtime.time;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.internal.context.RuntimeContext;
import dev.kyoto.runtime.internal.time.Saturating;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Timers on the runtime's timer wheel (6 levels of 64 slots, 1 ms resolution, deadlines rounded
 * up). A duration or instant too far away for a {@code long} of nanoseconds (about 292 years,
 * such as {@code ChronoUnit.FOREVER} or {@code Instant.MAX}) means "practically forever": such a
 * timer never fires. Every computation here needs a runtime built with {@code enableTime()}; polling one
 * elsewhere throws {@link IllegalStateException} naming the fix, and polling one after its
 * runtime shut down throws the runtime's shutdown error.
 *
 * <pre>{@code
 * rt.blockOn(Time.sleep(Duration.ofMillis(50)));
 * String reply = rt.blockOn(Time.timeout(Duration.ofSeconds(2), request()));
 * }</pre>
 */
public final class Time {
    private Time() {
    }

    /** Completes {@code duration} after it is first polled. */
    public static Sleep sleep(Duration duration) {
        return new Sleep(Saturating.nanos(Objects.requireNonNull(duration, "duration")));
    }

    /** Completes at {@code deadline} (at once if it has passed), on the runtime's clock. */
    public static Sleep sleepUntil(Instant deadline) {
        return new Sleep(Objects.requireNonNull(deadline, "deadline"));
    }

    /**
     * Completes with {@code computation}'s outcome if it finishes within {@code limit} of the first
     * poll; otherwise cancels it and throws {@link java.util.concurrent.TimeoutException}.
     */
    public static <T> Async<T> timeout(Duration limit, Async<T> computation) {
        Objects.requireNonNull(computation, "computation");
        return new Timeout<>(computation, sleep(limit), limit);
    }

    /** Ticks every {@code period}, the first tick at once. */
    public static Interval interval(Duration period) {
        return new Interval(null, checkedPeriod(period));
    }

    /** Ticks every {@code period}, the first tick at {@code start}. */
    public static Interval intervalAt(Instant start, Duration period) {
        return new Interval(Objects.requireNonNull(start, "start"), checkedPeriod(period));
    }

    private static Duration checkedPeriod(Duration period) {
        Objects.requireNonNull(period, "period");
        if (period.isZero() || period.isNegative()) {
            throw new IllegalArgumentException("the period of an interval must be positive, was " + period);
        }
        return period;
    }

    /**
     * The current time on the clock of the runtime running on this thread (which a test may have
     * paused or advanced).
     *
     * @throws IllegalStateException if no runtime with timers runs on this thread
     */
    public static Instant now() {
        return RuntimeContext.current().driver().time().clock().now();
    }
}
