package dev.kyoto.runtime.internal.scheduler;

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
        held.set(false);
    }

    /** How often the driver has been taken (wrapping). */
    int acquisitions() {
        return (int) ACQUISITIONS.getAcquire(this);
    }
}
