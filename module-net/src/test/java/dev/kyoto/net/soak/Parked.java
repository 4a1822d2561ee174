package dev.kyoto.net.soak;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;

/**
 * A computation watched from outside: counts itself in {@code parked} the first time a poll of
 * it returns pending (it is then waiting on something), and records how it ended: cancelled, or
 * failed with what. Polled by one task at a time; the outcome fields are volatile for the test
 * thread to read.
 */
final class Parked<T> implements Async<T> {
    private final Async<T> inner;
    private final Counter parked;
    private boolean counted;
    /** Whether {@link #cancel()} ran. */
    volatile boolean cancelled;
    /** What a poll threw, if one did. */
    volatile Exception failure;

    Parked(Async<T> inner, Counter parked) {
        this.inner = inner;
        this.parked = parked;
    }

    @Override
    public Poll<T> poll(Context cx) throws Exception {
        Poll<T> p;
        try {
            p = inner.poll(cx);
        } catch (Exception e) {
            failure = e;
            throw e;
        }
        if (p.isPending() && !counted) {
            counted = true;
            parked.increment();
        }
        return p;
    }

    @Override
    public void cancel() {
        cancelled = true;
        inner.cancel();
    }
}
