package dev.kyoto.runtime;

import java.util.Objects;

/**
 * What a poll is given: the {@link Waker} to wake when the computation can make progress.
 *
 * <p>A task creates its context once and passes the same object to every poll, so polling
 * allocates nothing. Hand-written harnesses create one around their own waker.
 */
public final class Context {
    private final Waker waker;

    /**
     * Creates a context around a waker.
     *
     * @param waker the waker a pending poll arranges to wake; never null
     */
    public Context(Waker waker) {
        this.waker = Objects.requireNonNull(waker, "waker");
    }

    /** The waker of the task being polled. */
    public Waker waker() {
        return waker;
    }
}
