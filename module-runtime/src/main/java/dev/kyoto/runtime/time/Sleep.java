package dev.kyoto.runtime.time;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.internal.context.RuntimeContext;
import dev.kyoto.runtime.internal.time.Clock;
import dev.kyoto.runtime.internal.time.Saturating;
import dev.kyoto.runtime.internal.time.TimeDriver;
import dev.kyoto.runtime.internal.time.TimerEntry;
import dev.kyoto.runtime.spi.RuntimeShutdown;
import java.time.Duration;
import java.time.Instant;

/**
 * A computation that completes when its deadline has passed: made by {@link Time#sleep} and
 * {@link Time#sleepUntil}. It registers with the runtime's timer wheel on its first poll (a
 * relative sleep's deadline is measured from then), rounded up to the next millisecond. It can
 * be {@linkplain #reset(Duration) reset} and {@linkplain #cancel() cancelled} without allocating.
 *
 * <p>A deadline further away than a {@code long} of nanoseconds reaches (about 292 years:
 * {@code Duration.ofSeconds(Long.MAX_VALUE)}, {@code ChronoUnit.FOREVER}, {@code Instant.MAX}) is
 * held there, "practically forever": it never fires early and never overflows into the past.
 *
 * <p>A sleep is polled by one task at a time. After its runtime shuts down, polling it throws
 * the runtime's shutdown error.
 */
public final class Sleep implements Async<Void> {
    private static final long UNSET = Long.MIN_VALUE;

    private final TimerEntry entry = new TimerEntry();
    /** Exactly one of these three says where the deadline is: a delay from registration, an instant, or a clock reading. */
    private long delayNanos;
    private Instant until;
    private long atNanos = UNSET;
    private TimeDriver driver;
    private boolean registered;

    Sleep(long delayNanos) {
        this.delayNanos = Math.max(0, delayNanos);
    }

    Sleep(Instant until) {
        this.until = until;
    }

    @Override
    public Poll<Void> poll(Context cx) throws Exception {
        RuntimeContext rc = RuntimeContext.get();
        if (!rc.spend(cx.waker())) {
            return Poll.pending();
        }
        Poll<Void> p = pollTimer(cx);
        if (p.isPending()) {
            rc.refund();
        }
        return p;
    }

    /** Polls without spending the task's budget: a timeout must fire even for a greedy computation. */
    Poll<Void> pollTimer(Context cx) throws Exception {
        entry.setWaker(cx.waker());
        if (!registered) {
            register();
        }
        return switch (entry.state()) {
            case TimerEntry.FIRED -> Poll.ready(null);
            case TimerEntry.SHUT_DOWN -> throw RuntimeShutdown.error();
            default -> Poll.pending();
        };
    }

    private void register() {
        if (driver == null) {
            driver = RuntimeContext.current().driver().time();
        }
        Clock clock = driver.clock();
        long deadlineNanos = atNanos != UNSET ? atNanos
                : until != null ? clock.toNanos(until)
                : Saturating.add(clock.nowNanos(), delayNanos);
        // Rounded up: a sleep never completes before its deadline.
        long deadlineMs = Math.ceilDiv(deadlineNanos, 1_000_000);
        driver.register(entry, deadlineMs);
        registered = true;
    }

    /** Whether the deadline has passed (as far as the timer has fired). */
    public boolean isElapsed() {
        return entry.state() == TimerEntry.FIRED;
    }

    /** Moves the deadline to {@code delay} from now; the sleep can be polled again until then. */
    public void reset(Duration delay) {
        until = null;
        atNanos = UNSET;
        delayNanos = Math.max(0, Saturating.nanos(delay));
        reRegister();
    }

    /** Moves the deadline to {@code deadline}; the sleep can be polled again until then. */
    public void resetAt(Instant deadline) {
        until = deadline;
        atNanos = UNSET;
        reRegister();
    }

    /** Moves the deadline to a reading of the runtime's clock (registration waits for the next poll). */
    void resetAtClock(long clockNanos) {
        // UNSET is the earliest reading there is; the one after it is just as long past.
        atNanos = Math.max(clockNanos, UNSET + 1);
        until = null;
        registered = false;
    }

    private void reRegister() {
        if (registered) {
            registered = false;
            register();
        }
    }

    /** Takes the timer out of the wheel: it will not fire. */
    @Override
    public void cancel() {
        if (driver != null) {
            driver.cancel(entry);
        }
        registered = false;
    }
}
