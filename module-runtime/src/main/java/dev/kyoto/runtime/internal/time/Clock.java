package dev.kyoto.runtime.internal.time;

import java.time.Duration;
import java.time.Instant;

/**
 * A runtime's clock, in nanoseconds since the runtime started, which tests can pause and move.
 *
 * <p>{@code state} is an immutable snapshot: the reading when the clock was last paused, resumed
 * or advanced, and the {@link System#nanoTime()} at which it last resumed (or {@code PAUSED}).
 * Readers take one volatile read; the rare writers replace the snapshot under {@code this}.
 * {@code wallStart} maps readings to {@link Instant}s for the public API.
 */
public final class Clock {
    private static final long PAUSED = Long.MIN_VALUE;

    private record State(long baseNanos, long runningSince) {
        boolean paused() {
            return runningSince == PAUSED;
        }

        long now() {
            return paused() ? baseNanos : baseNanos + (System.nanoTime() - runningSince);
        }
    }

    private final Instant wallStart = Instant.now();
    private volatile State state;

    public Clock(boolean startPaused) {
        state = new State(0, startPaused ? PAUSED : System.nanoTime());
    }

    /** The clock's reading, in nanoseconds since the runtime started. */
    public long nowNanos() {
        return state.now();
    }

    /** The clock's reading in whole milliseconds, rounded down. */
    public long nowMs() {
        return nowNanos() / 1_000_000;
    }

    /** The clock's reading as an instant. */
    public Instant now() {
        return wallStart.plusNanos(nowNanos());
    }

    /** The instant of reading {@code nanos}. */
    public Instant instantAt(long nanos) {
        return wallStart.plusNanos(nanos);
    }

    /**
     * The reading at which {@code instant} falls; held at {@link Long#MAX_VALUE} (or
     * {@link Long#MIN_VALUE}) for an instant further away than a {@code long} of nanoseconds reaches.
     */
    public long toNanos(Instant instant) {
        return Saturating.nanos(Duration.between(wallStart, instant));
    }

    public boolean isPaused() {
        return state.paused();
    }

    /**
     * Freezes the clock at its current reading.
     *
     * @throws IllegalStateException if it is already paused
     */
    public synchronized void pause() {
        State s = state;
        if (s.paused()) {
            throw new IllegalStateException("the clock is already paused");
        }
        state = new State(s.now(), PAUSED);
    }

    /**
     * Lets the clock run again from its current reading.
     *
     * @throws IllegalStateException if it is not paused
     */
    public synchronized void resume() {
        State s = state;
        if (!s.paused()) {
            throw new IllegalStateException("the clock is not paused");
        }
        state = new State(s.baseNanos(), System.nanoTime());
    }

    /**
     * Moves a paused clock forward.
     *
     * @throws IllegalStateException if it is not paused
     */
    public synchronized void advance(long nanos) {
        State s = state;
        if (!s.paused()) {
            throw new IllegalStateException("the clock can only be advanced while paused; call TestClock.pause() first");
        }
        state = new State(Saturating.add(s.baseNanos(), nanos), PAUSED);
    }

    /** Moves a paused clock forward to {@code ms}, if it is behind it. */
    synchronized void advanceToMs(long ms) {
        State s = state;
        long target = Saturating.multiply(ms, 1_000_000);
        if (s.paused() && s.baseNanos() < target) {
            state = new State(target, PAUSED);
        }
    }
}
