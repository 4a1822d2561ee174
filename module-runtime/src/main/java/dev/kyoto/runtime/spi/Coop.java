package dev.kyoto.runtime.spi;

import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.internal.context.RuntimeContext;

/**
 * Cooperative scheduling for resources: every task poll gets a budget of 128 units, and each
 * readiness check, join or receive spends one. A task that has spent its budget is told
 * "pending" and woken after the scheduler's next driver poll, so one always-ready socket cannot
 * starve the other tasks on its thread. Outside a task the budget is unlimited.
 *
 * <pre>{@code
 * if (!Coop.proceed(cx)) return Poll.pending();       // budget spent: yield
 * Poll<T> p = pollTheResource(cx);
 * if (p.isPending()) Coop.refund();                    // no progress: give the unit back
 * }</pre>
 */
public final class Coop {
    private Coop() {
    }

    /**
     * Spends one unit; false when the budget is exhausted, in which case the task has been
     * scheduled to run again after the next driver poll and the caller must return pending.
     */
    public static boolean proceed(Context cx) {
        return RuntimeContext.get().spend(cx.waker());
    }

    /** Gives back the unit spent by {@link #proceed} when the operation made no progress. */
    public static void refund() {
        RuntimeContext.get().refund();
    }

    /** Whether the running task may still do work before it must yield. */
    public static boolean hasBudgetRemaining() {
        return RuntimeContext.get().hasBudget();
    }
}
