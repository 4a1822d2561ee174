package dev.kyoto.runtime.task;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Polls one computation by hand, as a task would, outside any runtime, and counts the wakes its
 * waker receives.
 */
final class Probe<T> {
    private final Async<T> async;
    private final AtomicInteger wakes = new AtomicInteger();
    private final Context cx = new Context(wakes::incrementAndGet);

    private Probe(Async<T> async) {
        this.async = async;
    }

    static <T> Probe<T> of(Async<T> async) {
        return new Probe<>(async);
    }

    Poll<T> poll() throws Exception {
        return async.poll(cx);
    }

    /** Polls and expects a value. */
    T ready() throws Exception {
        Poll<T> p = poll();
        assertTrue(p.isReady(), "expected the computation to be ready, it is pending");
        return p.value();
    }

    /** Polls and expects pending; returns this for chaining. */
    Probe<T> pending() throws Exception {
        Poll<T> p = poll();
        assertTrue(p.isPending(), () -> "expected pending, got " + p);
        return this;
    }

    void cancel() {
        async.cancel();
    }

    /** How often the waker was woken so far. */
    int wakes() {
        return wakes.get();
    }
}
