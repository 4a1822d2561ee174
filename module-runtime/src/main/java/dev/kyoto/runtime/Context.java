package dev.kyoto.runtime;

import dev.kyoto.runtime.internal.task.JoinCell;
import java.util.Objects;

/**
 * What a poll is given: the {@link Waker} to wake when the computation can make progress.
 *
 * <p>A spawned task is its own context and its own waker, so spawning allocates no context and
 * polling allocates nothing. Hand-written harnesses create one around their own waker.
 *
 * <p>Immutable: {@code waker} is final, set by the constructor (null only in the runtime's own
 * tasks, which override {@link #waker()}).
 */
public sealed class Context permits JoinCell {
    private final Waker waker;

    /**
     * Creates a context around a waker.
     *
     * @param waker the waker a pending poll arranges to wake; never null
     */
    public Context(Waker waker) {
        this.waker = Objects.requireNonNull(waker, "waker");
    }

    /**
     * For the runtime's own tasks, each of which is its own context and supplies its waker by
     * overriding {@link #waker()}; other code cannot subclass this class.
     */
    protected Context() {
        this.waker = null;
    }

    /** The waker of the task being polled. */
    public Waker waker() {
        return waker;
    }
}
