package dev.kyoto.runtime.task;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.Waker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Polls a computation on a plain thread and parks between polls until its waker is woken, as
 * {@code blockOn} does, but gives up at a deadline: a pending poll whose wake never comes is a
 * lost wake-up, reported as such instead of hanging the stress test.
 */
final class Parking implements Waker {
    private final Thread owner = Thread.currentThread();
    private final AtomicInteger wakes = new AtomicInteger();

    private Parking() {
    }

    @Override
    public void wake() {
        wakes.incrementAndGet();
        LockSupport.unpark(owner);
    }

    /** Polls {@code async} to its end on this thread, failing if a wake is not seen within {@code limit}. */
    static <T> T await(Async<T> async, Duration limit) throws Exception {
        Parking waker = new Parking();
        Context cx = new Context(waker);
        long deadline = System.nanoTime() + limit.toNanos();
        for (;;) {
            int seen = waker.wakes.get();
            Poll<T> p = async.poll(cx);
            if (p.isReady()) {
                return p.value();
            }
            while (waker.wakes.get() == seen) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("gave up waiting for " + async + ": a wake-up was lost");
                }
                LockSupport.parkNanos(waker, left);
            }
        }
    }
}
