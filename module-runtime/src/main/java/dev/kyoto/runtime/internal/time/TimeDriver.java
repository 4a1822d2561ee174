package dev.kyoto.runtime.internal.time;

import dev.kyoto.runtime.Waker;
import java.util.ArrayList;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The time layer of a runtime's driver stack: it parks the layer below (the I/O driver or the
 * thread parker) until the next timer deadline at most, then fires every timer that is due,
 * waking their tasks outside its lock.
 *
 * <p>Guarded by {@code lock}: the {@link Wheel}, {@code shutdown}, {@code parked} (a thread is,
 * or is about to be, parked below) and {@code sleepingUntil} (the deadline it will wake up for,
 * {@link Wheel#NONE} for none), so that a timer registered for earlier wakes it, and a timer
 * registered while nobody sleeps costs no wake-up. {@code unparked} is volatile: set by any thread that unparks, cleared when a park begins;
 * while it is set a paused clock must not jump ahead, because there is work. {@code toWake} is
 * scratch space of the parking thread (one at a time), reused.
 */
public final class TimeDriver {
    /** What parks under the time layer. */
    public interface Below {
        void park(long timeoutNanos);

        void unpark();
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Wheel wheel = new Wheel();
    private final Clock clock;
    private final Below below;
    private final ArrayList<Waker> toWake = new ArrayList<>();
    private boolean shutdown;
    private long sleepingUntil = Wheel.NONE;
    private boolean parked;
    private volatile boolean unparked;

    public TimeDriver(Clock clock, Below below) {
        this.clock = clock;
        this.below = below;
    }

    public Clock clock() {
        return clock;
    }

    /**
     * Parks below until {@code timeoutNanos} (negative: no limit; zero: poll) or the next timer
     * deadline, whichever is first, then fires the timers that are due. With the clock paused and
     * nothing else to do, the clock jumps straight to the next deadline instead of waiting.
     */
    public void park(long timeoutNanos) {
        unparked = false;
        long next;
        lock.lock();
        try {
            next = wheel.nextExpiration();
            if (timeoutNanos != 0) {
                parked = true;
                sleepingUntil = next;
            }
        } finally {
            lock.unlock();
        }
        if (clock.isPaused()) {
            below.park(0);
            if (timeoutNanos != 0 && next != Wheel.NONE && !unparked) {
                clock.advanceToMs(next);
            }
        } else {
            long wait = next == Wheel.NONE ? -1 : Math.max(0, Saturating.multiply(next, 1_000_000) - clock.nowNanos());
            long t = timeoutNanos < 0 ? wait : wait < 0 ? timeoutNanos : Math.min(wait, timeoutNanos);
            below.park(t);
        }
        if (timeoutNanos != 0) {
            lock.lock();
            try {
                parked = false;
                sleepingUntil = Wheel.NONE;
            } finally {
                lock.unlock();
            }
        }
        fireDue();
    }

    /** Unparks below; a paused clock then does not jump on this park. */
    public void unpark() {
        unparked = true;
        below.unpark();
    }

    private void fireDue() {
        long now = clock.nowMs();
        lock.lock();
        try {
            wheel.advance(now, e -> {
                e.state = TimerEntry.FIRED;
                Waker w = e.waker;
                if (w != null) {
                    toWake.add(w);
                }
            });
        } finally {
            lock.unlock();
        }
        wakeCollected();
    }

    private void wakeCollected() {
        // Only the parking thread collects, so the list needs no lock once filled.
        for (int i = 0; i < toWake.size(); i++) {
            toWake.get(i).wake();
        }
        toWake.clear();
    }

    /**
     * Registers {@code e} for the deadline {@code deadlineMs} (re-registering it if it was
     * registered), or marks it fired at once if that time has come. After shutdown the entry is
     * marked shut down instead.
     */
    public void register(TimerEntry e, long deadlineMs) {
        boolean wakeBelow;
        lock.lock();
        try {
            wheel.remove(e);
            if (shutdown) {
                e.state = TimerEntry.SHUT_DOWN;
                return;
            }
            e.deadline = deadlineMs;
            e.state = TimerEntry.WAITING;
            if (deadlineMs <= clock.nowMs() || !wheel.insert(e)) {
                e.state = TimerEntry.FIRED;
                return;
            }
            wakeBelow = parked && deadlineMs < sleepingUntil;
        } finally {
            lock.unlock();
        }
        if (wakeBelow) {
            // A thread sleeps below until a later deadline: wake it so it sleeps for this one.
            below.unpark();
        }
    }

    /** Takes {@code e} out of the wheel; it will not fire. */
    public void cancel(TimerEntry e) {
        lock.lock();
        try {
            wheel.remove(e);
        } finally {
            lock.unlock();
        }
    }

    /** Marks every registered timer shut down and wakes its task; later registrations are refused. */
    public void shutdown() {
        ArrayList<Waker> wake = new ArrayList<>();
        lock.lock();
        try {
            if (shutdown) {
                return;
            }
            shutdown = true;
            wheel.drain(e -> {
                e.state = TimerEntry.SHUT_DOWN;
                Waker w = e.waker;
                if (w != null) {
                    wake.add(w);
                }
            });
        } finally {
            lock.unlock();
        }
        for (Waker w : wake) {
            w.wake();
        }
    }

    /**
     * Nanoseconds from now until the earliest registered timer is due (negative if it is overdue),
     * or {@link Long#MAX_VALUE} if none is registered. The earliest slot of the wheel is taken for
     * the deadline: a timer far ahead may be reported due early, when it cascades, never late.
     */
    public long nanosUntilNextTimer() {
        long next;
        lock.lock();
        try {
            next = wheel.nextExpiration();
        } finally {
            lock.unlock();
        }
        return next == Wheel.NONE ? Long.MAX_VALUE : Saturating.subtract(Saturating.multiply(next, 1_000_000), clock.nowNanos());
    }

    /** Registered timers, for tests and metrics. */
    public int registered() {
        lock.lock();
        try {
            return wheel.size();
        } finally {
            lock.unlock();
        }
    }
}
