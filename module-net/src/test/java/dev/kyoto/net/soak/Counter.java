package dev.kyoto.net.soak;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.Waker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A count that tasks and threads add to, and that a test awaits as a Kyoto computation
 * ({@link #atLeast}), so that the thread waiting also drives a current-thread runtime.
 *
 * <p>{@code value} is written by any thread. {@code waiters} (guarded by {@code this}) holds the
 * wakers of pending {@link #atLeast} polls. A waiter reads {@code value} and registers under the
 * lock; {@link #add} raises {@code value} before it takes the lock to collect the waiters, so a
 * waiter that read the old value is in the list the adder collects: no wake is lost.
 */
final class Counter {
    private final AtomicLong value = new AtomicLong();
    private final List<Waker> waiters = new ArrayList<>();

    /** Adds one. */
    void increment() {
        add(1);
    }

    /** Adds {@code n} and wakes every waiter. */
    void add(long n) {
        value.addAndGet(n);
        List<Waker> woken;
        synchronized (this) {
            if (waiters.isEmpty()) {
                return;
            }
            woken = List.copyOf(waiters);
            waiters.clear();
        }
        for (Waker w : woken) {
            w.wake();
        }
    }

    long get() {
        return value.get();
    }

    /** Completes, with the count, once it is at least {@code n}. */
    Async<Long> atLeast(long n) {
        return cx -> {
            synchronized (this) {
                long v = value.get();
                if (v >= n) {
                    return Poll.ready(v);
                }
                waiters.add(cx.waker());
            }
            return Poll.pending();
        };
    }

    @Override
    public String toString() {
        return Long.toString(value.get());
    }
}
