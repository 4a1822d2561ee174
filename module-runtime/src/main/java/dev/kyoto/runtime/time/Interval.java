package dev.kyoto.runtime.time;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.internal.context.RuntimeContext;
import dev.kyoto.runtime.internal.time.Clock;
import dev.kyoto.runtime.internal.time.Saturating;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Ticks at a fixed period: made by {@link Time#interval}. The first tick completes at the start
 * time; each later one a period after the previous scheduled tick. When ticks fall behind, the
 * {@link MissedTickBehavior} decides how to catch up. One task polls an interval at a time; it
 * reuses a single timer. Tick times saturate: a period too long for a {@code long} of
 * nanoseconds puts the next tick practically forever away, never in the past.
 */
public final class Interval {
    private final Duration period;
    private final long periodNanos;
    private final Instant start;
    private final Sleep delay;
    private final Async<Instant> tick = this::pollTick;
    private MissedTickBehavior behavior = MissedTickBehavior.BURST;
    private Clock clock;
    /** The clock reading of the next scheduled tick; valid once {@code clock} is set. */
    private long nextNanos;

    Interval(Instant start, Duration period) {
        this.start = start;
        this.period = period;
        this.periodNanos = Saturating.nanos(period);
        this.delay = new Sleep(0);
    }

    /** Completes at the next tick with the instant the tick was scheduled for. */
    public Async<Instant> tick() {
        return tick;
    }

    /** Polls for the next tick, for hand-written computations. */
    public Poll<Instant> pollTick(Context cx) throws Exception {
        RuntimeContext rc = RuntimeContext.get();
        if (!rc.spend(cx.waker())) {
            return Poll.pending();
        }
        if (clock == null) {
            clock = RuntimeContext.current().driver().time().clock();
            nextNanos = start != null ? clock.toNanos(start) : clock.nowNanos();
            delay.resetAtClock(nextNanos);
        }
        if (clock.nowNanos() < nextNanos && delay.pollTimer(cx).isPending()) {
            rc.refund();
            return Poll.pending();
        }
        long scheduled = nextNanos;
        nextNanos = following(scheduled, clock.nowNanos());
        delay.resetAtClock(nextNanos);
        return Poll.ready(clock.instantAt(scheduled));
    }

    private long following(long scheduled, long now) {
        long late = Saturating.subtract(now, scheduled);
        // A tick up to a millisecond late is on time: timers have millisecond resolution.
        if (late <= 1_000_000) {
            return Saturating.add(scheduled, periodNanos);
        }
        return switch (behavior) {
            case BURST -> Saturating.add(scheduled, periodNanos);
            case DELAY -> Saturating.add(now, periodNanos);
            case SKIP -> Saturating.add(scheduled, Saturating.multiply(periodNanos, Saturating.add(late / periodNanos, 1)));
        };
    }

    /** Schedules the next tick a whole period from now. */
    public void reset() {
        if (clock == null) {
            clock = RuntimeContext.current().driver().time().clock();
        }
        nextNanos = Saturating.add(clock.nowNanos(), periodNanos);
        delay.resetAtClock(nextNanos);
    }

    /** How missed ticks are handled from now on. */
    public void setMissedTickBehavior(MissedTickBehavior behavior) {
        this.behavior = Objects.requireNonNull(behavior, "behavior");
    }

    public MissedTickBehavior missedTickBehavior() {
        return behavior;
    }

    /** The period between ticks. */
    public Duration period() {
        return period;
    }
}
