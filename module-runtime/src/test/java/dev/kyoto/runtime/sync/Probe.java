package dev.kyoto.runtime.sync;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Polls one computation by hand, as a task would, outside any runtime (so the cooperative budget
 * is unlimited), and counts the wakes its waker receives. Shared by the tests of the
 * coordination and task packages.
 */
public final class Probe<T> {
    private final Async<T> async;
    private final AtomicInteger wakes = new AtomicInteger();
    private final Context cx = new Context(wakes::incrementAndGet);

    private Probe(Async<T> async) {
        this.async = async;
    }

    public static <T> Probe<T> of(Async<T> async) {
        return new Probe<>(async);
    }

    public Poll<T> poll() throws Exception {
        return async.poll(cx);
    }

    /** Polls and expects a value. */
    public T ready() throws Exception {
        Poll<T> p = poll();
        if (p.isPending()) {
            fail("expected the computation to be ready, it is pending");
        }
        return p.value();
    }

    /** Polls and expects pending; returns this for chaining. */
    public Probe<T> pending() throws Exception {
        Poll<T> p = poll();
        assertTrue(p.isPending(), () -> "expected pending, got " + p);
        return this;
    }

    public void cancel() {
        async.cancel();
    }

    /** How often the waker was woken so far. */
    public int wakes() {
        return wakes.get();
    }

    public boolean woken() {
        return wakes.get() > 0;
    }
}
