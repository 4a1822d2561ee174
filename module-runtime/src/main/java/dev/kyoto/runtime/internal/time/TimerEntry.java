package dev.kyoto.runtime.internal.time;

import dev.kyoto.runtime.Waker;

/**
 * One timer: a deadline, the waker to wake when it passes, and its place in the wheel. A sleep
 * owns one entry for its whole life; cancelling and resetting it reuse the same object.
 *
 * <p>{@code deadline}, {@code level}, {@code slot}, {@code prev} and {@code next} are guarded by
 * the time driver's lock: the entry is in the wheel exactly when {@code level >= 0}.
 * {@code state} and {@code waker} are volatile: the owner reads {@code state} without the lock on
 * its fast path, and the firing thread reads {@code waker} after setting {@code state}; the owner
 * stores {@code waker} before re-reading {@code state}, so a firing is never missed.
 */
public final class TimerEntry {
    /** Registered (or not yet), waiting for its deadline. */
    public static final int WAITING = 0;
    /** The deadline passed. */
    public static final int FIRED = 1;
    /** The runtime's time driver shut down first. */
    public static final int SHUT_DOWN = 2;

    long deadline;
    int level = -1;
    int slot;
    TimerEntry prev;
    TimerEntry next;
    volatile int state;
    volatile Waker waker;

    /** The entry's state: {@link #WAITING}, {@link #FIRED} or {@link #SHUT_DOWN}. */
    public int state() {
        return state;
    }

    /** Stores the waker to wake when the entry fires. */
    public void setWaker(Waker w) {
        waker = w;
    }

    boolean inWheel() {
        return level >= 0;
    }
}
