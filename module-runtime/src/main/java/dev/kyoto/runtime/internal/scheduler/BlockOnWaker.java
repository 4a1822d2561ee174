package dev.kyoto.runtime.internal.scheduler;

import dev.kyoto.runtime.Waker;
import dev.kyoto.runtime.internal.driver.Driver;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * The waker of the future a thread runs in {@code blockOn} or {@code Async.await()}. Waking sets {@code woken} and
 * unparks both places the thread may sleep: the driver (when it drives a current-thread runtime;
 * {@code driver} is null on a multi-thread runtime, whose {@code blockOn} never parks in it) and
 * the thread itself. Each unpark is one atomic swap when the thread is awake.
 *
 * <p>{@code woken} is written by any waking thread and cleared only by the blocked thread,
 * right before it polls the future, so a wake during that poll causes one more poll.
 */
final class BlockOnWaker implements Waker {
    private static final VarHandle WOKEN;

    static {
        try {
            WOKEN = MethodHandles.lookup().findVarHandle(BlockOnWaker.class, "woken", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Thread thread;
    private final Driver driver;
    private volatile boolean woken = true;

    BlockOnWaker(Thread thread, Driver driver) {
        this.thread = thread;
        this.driver = driver;
    }

    @Override
    public void wake() {
        if (!woken) {
            woken = true;
            if (Thread.currentThread() != thread) {
                if (driver != null) {
                    driver.unpark();
                }
                LockSupport.unpark(thread);
            }
        }
    }

    /** Sets the flag, so that the next computation this waker serves is polled at once. */
    void rearm() {
        woken = true;
    }

    /** Clears the flag and reports whether it was set. */
    boolean takeWoken() {
        return woken && (boolean) WOKEN.getAndSet(this, false);
    }

    boolean isWoken() {
        return woken;
    }
}
