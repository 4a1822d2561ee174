package dev.kyoto.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The waker one child of {@link Siblings} is polled with: waking it marks the child as woken and
 * wakes the task polling the siblings, which then polls only the children marked. Made once per
 * child, with the one {@link Context} the child is always polled with, so polling allocates
 * nothing.
 *
 * <p>{@code woken} is written by any thread that wakes the child and taken (read and cleared in
 * one atomic step) by the polling task just before it polls the child, so a wake that arrives
 * while the child is being polled leaves the mark for the next poll. It starts set: the first poll
 * polls every child. Only the wake that sets the mark wakes the task: while it is set, the task
 * has been woken and has yet to take it.
 */
final class ChildWaker implements Waker {
    private static final VarHandle WOKEN;

    static {
        try {
            WOKEN = MethodHandles.lookup().findVarHandle(ChildWaker.class, "woken", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Siblings<?> owner;
    /** The context the child is polled with; its waker is this. */
    final Context context;
    @SuppressWarnings("unused") // through WOKEN
    private volatile boolean woken = true;

    ChildWaker(Siblings<?> owner) {
        this.owner = owner;
        this.context = new Context(this);
    }

    @Override
    public void wake() {
        if (!(boolean) WOKEN.getAndSet(this, true)) {
            owner.wakeParent();
        }
    }

    /** Clears the mark; true if it was set, in which case the child is to be polled. */
    boolean take() {
        return woken && (boolean) WOKEN.getAndSet(this, false);
    }
}
