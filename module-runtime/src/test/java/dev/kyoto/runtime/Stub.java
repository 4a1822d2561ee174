package dev.kyoto.runtime;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A computation the test drives by hand: pending until told to complete or fail, then it wakes
 * the waker it was last polled with. It counts its polls and its cancels, fails the test if it is
 * polled or cancelled after it ended, and can note its cancel in a shared event list, to check
 * the order of what happens.
 */
final class Stub<T> implements Async<T> {
    private final String name;
    private final List<String> events;
    private final AtomicInteger polls = new AtomicInteger();
    private final AtomicInteger cancels = new AtomicInteger();
    private volatile Waker waker;
    private volatile Poll<T> outcome;
    private volatile Exception failure;
    private volatile boolean ended;

    Stub(String name, List<String> events) {
        this.name = name;
        this.events = events;
    }

    Stub() {
        this("stub", null);
    }

    /** A stub that is ready with {@code value} at its first poll. */
    static <T> Stub<T> readyWith(T value) {
        Stub<T> s = new Stub<>();
        s.outcome = Poll.ready(value);
        return s;
    }

    @Override
    public Poll<T> poll(Context cx) throws Exception {
        polls.incrementAndGet();
        if (ended) {
            fail(name + " was polled after it ended");
        }
        waker = cx.waker();
        if (failure != null) {
            ended = true;
            throw failure;
        }
        Poll<T> p = outcome;
        if (p != null) {
            ended = true;
            return p;
        }
        return Poll.pending();
    }

    @Override
    public void cancel() {
        if (ended) {
            fail(name + " was cancelled after it ended");
        }
        cancels.incrementAndGet();
        if (events != null) {
            events.add("cancel " + name);
        }
    }

    /** Makes the next poll ready with {@code value}, and wakes. */
    void complete(T value) {
        outcome = Poll.ready(value);
        wake();
    }

    /** Makes the next poll throw {@code e}, and wakes. */
    void failWith(Exception e) {
        failure = e;
        wake();
    }

    /** Wakes the waker of the last poll. */
    void wake() {
        Waker w = waker;
        if (w != null) {
            w.wake();
        }
    }

    int polls() {
        return polls.get();
    }

    int cancels() {
        return cancels.get();
    }
}
