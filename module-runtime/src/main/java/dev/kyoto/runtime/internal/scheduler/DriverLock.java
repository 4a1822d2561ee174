package dev.kyoto.runtime.internal.scheduler;

import dev.kyoto.runtime.internal.jfr.Jfr;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Who holds a multi-thread runtime's one driver: at most one worker at a time, which parks in it
 * or polls it.
 *
 * <p>{@code held} is taken by CAS and given back by its holder. {@code acquisitions} counts how
 * often it was taken; only the holder writes it (a release store, after its CAS), and a
 * {@link StallWatch watcher} reads it to tell a driver left free for a whole watch period (its
 * holder is stuck) from one whose holder keeps coming back for it between tasks.
 *
 * <p>While a Flight Recorder recording runs, a holder also notes as it releases the driver when
 * it did ({@code releasedAt}) and which acquisition it releases ({@code timedRelease}), so that
 * a watcher that takes over a driver nobody took for a whole period can tell how long it was left
 * unturned (the blocked-driver event). The holder writes both plainly before the volatile store
 * that frees {@code held}; the next holder reads them after the CAS that takes it, so it sees the
 * values of the release it follows. Outside recordings they are not written: a release costs no
 * clock read.
 */
final class DriverLock {
    private static final VarHandle ACQUISITIONS;

    static {
        try {
            ACQUISITIONS = MethodHandles.lookup().findVarHandle(DriverLock.class, "acquisitions", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final AtomicBoolean held = new AtomicBoolean();
    /** The acquisition count whose release {@code releasedAt} timed; -1 before any. */
    private int timedRelease = -1;
    /** {@link System#nanoTime()} at that release. */
    private long releasedAt;
    @SuppressWarnings("unused") // accessed through ACQUISITIONS
    private int acquisitions;

    /** Takes the driver if nobody holds it. */
    boolean tryLock() {
        if (!held.compareAndSet(false, true)) {
            return false;
        }
        ACQUISITIONS.setRelease(this, (int) ACQUISITIONS.get(this) + 1);
        return true;
    }

    /** Gives the driver back; holder only. */
    void unlock() {
        if (Jfr.recording()) {
            releasedAt = System.nanoTime();
            timedRelease = (int) ACQUISITIONS.get(this);
        }
        held.set(false);
    }

    /**
     * Holder only, just after taking the driver: how long it had been free, if the release before
     * this acquisition was timed and ended acquisition {@code previous}; else -1.
     */
    long freeNanos(int previous, long now) {
        return timedRelease == previous ? Math.max(0, now - releasedAt) : -1;
    }

    /** How often the driver has been taken (wrapping). */
    int acquisitions() {
        return (int) ACQUISITIONS.getAcquire(this);
    }
}
