package dev.kyoto.runtime.time;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.internal.context.RuntimeContext;
import dev.kyoto.runtime.internal.time.Clock;
import java.time.Instant;
import java.util.Objects;

/**
 * Ticks at a fixed period: made by {@link Time#interval}. The first tick completes at the start
 * time; each later one a period after the previous scheduled tick. When ticks fall behind, the
 * {@link MissedTickBehavior} decides how to catch up. One task polls an interval at a time; it
 * reuses a single timer.
 */
public final class Interval {
    private final long periodNanos;
    private final Instant start;
    private final Sleep delay;
    private final Async<Instant> tick = this::pollTick;
    private MissedTickBehavior behavior = MissedTickBehavior.BURST;
    private Clock clock;
    /** The clock reading of the next scheduled tick; valid once {@code clock} is set. */
    private long nextNanos;

    Interval(Instant start, long periodNanos) {
        this.start = start;
        this.periodNanos = periodNanos;
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
        // A tick up to a millisecond late is on time: timers have millisecond resolution.
        if (now - scheduled <= 1_000_000) {
            return scheduled + periodNanos;
        }
        return switch (behavior) {
            case BURST -> scheduled + periodNanos;
            case DELAY -> now + periodNanos;
            case SKIP -> scheduled + periodNanos * ((now - scheduled) / periodNanos + 1);
        };
    }

    /** Schedules the next tick a whole period from now. */
    public void reset() {
        if (clock == null) {
            clock = RuntimeContext.current().driver().time().clock();
        }
        nextNanos = clock.nowNanos() + periodNanos;
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
    public java.time.Duration period() {
        return java.time.Duration.ofNanos(periodNanos);
    }
}
