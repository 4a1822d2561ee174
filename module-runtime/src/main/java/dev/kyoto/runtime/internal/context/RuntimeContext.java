package dev.kyoto.runtime.internal.context;

import dev.kyoto.runtime.Waker;
import dev.kyoto.runtime.internal.scheduler.SchedulerHandle;
import java.util.ArrayList;

/**
 * The per-thread runtime context: which runtime this thread has entered, whether the thread is
 * driving tasks right now, and the wakers deferred until the scheduler next polls its driver.
 *
 * <p>Every field is read and written only by the thread that owns the context, so none is
 * volatile.
 */
public final class RuntimeContext {
    private static final ThreadLocal<RuntimeContext> CURRENT = ThreadLocal.withInitial(RuntimeContext::new);

    static final String NO_RUNTIME = "no Kyoto runtime is running on this thread: call this from a task, "
            + "from inside KyotoRuntime.blockOn, or after entering a runtime with handle.enter()";

    /** The runtime this thread has entered, or null. */
    private SchedulerHandle scheduler;
    /** True while this thread polls tasks for a scheduler; blocking it then would stall them. */
    private boolean driving;
    /** Wakers of tasks that yielded; woken after the scheduler's next driver poll. */
    private final ArrayList<Waker> deferred = new ArrayList<>();

    private RuntimeContext() {
    }

    /** This thread's context. */
    public static RuntimeContext get() {
        return CURRENT.get();
    }

    /**
     * The runtime this thread has entered.
     *
     * @throws IllegalStateException if there is none, saying how to get one
     */
    public static SchedulerHandle current() {
        SchedulerHandle s = CURRENT.get().scheduler;
        if (s == null) {
            throw new IllegalStateException(NO_RUNTIME);
        }
        return s;
    }

    /** The runtime this thread has entered, or null. */
    public static SchedulerHandle currentOrNull() {
        return CURRENT.get().scheduler;
    }

    /** Enters {@code s} on this thread and returns the runtime entered before, to restore later. */
    public SchedulerHandle enter(SchedulerHandle s) {
        SchedulerHandle previous = scheduler;
        scheduler = s;
        return previous;
    }

    /** The runtime this thread has entered, or null. */
    public SchedulerHandle scheduler() {
        return scheduler;
    }

    /** Marks whether this thread is driving tasks; returns the previous mark. */
    public boolean setDriving(boolean value) {
        boolean previous = driving;
        driving = value;
        return previous;
    }

    /** Whether this thread is driving tasks. */
    public boolean isDriving() {
        return driving;
    }

    /**
     * Defers {@code waker} until this thread's scheduler next polls its driver, or wakes it at
     * once when this thread is not driving tasks.
     */
    public static void defer(Waker waker) {
        RuntimeContext cx = CURRENT.get();
        if (cx.driving) {
            cx.deferred.add(waker);
        } else {
            waker.wake();
        }
    }

    /** Whether a task yielded and waits for the next driver poll. */
    public boolean hasDeferred() {
        return !deferred.isEmpty();
    }

    /** Wakes every deferred waker. Called by the scheduler right after it polled its driver. */
    public void wakeDeferred() {
        // Index loop: a wake may run user code that defers again; those wait for the next poll.
        int n = deferred.size();
        for (int i = 0; i < n; i++) {
            deferred.get(i).wake();
        }
        deferred.subList(0, n).clear();
    }
}
