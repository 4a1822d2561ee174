package dev.kyoto.runtime;

import dev.kyoto.runtime.internal.context.RuntimeContext;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * A computation that is polled to completion: Kyoto's future.
 *
 * <p>A poll either returns {@link Poll#ready(Object)} or returns {@link Poll#pending()} after
 * arranging for {@code cx.waker()} to be woken when progress is possible. A poll never blocks
 * the thread. Failure is an exception thrown from {@code poll}; it propagates through enclosing
 * polls unchanged. A lambda is an {@code Async}:
 *
 * <pre>{@code
 * Async<Integer> n = cx -> stream.pollRead(cx, buffer);
 * }</pre>
 *
 * <p>Combinators ({@link #map}, {@link #then}, {@link #recover}) are small state machines that
 * allocate nothing per poll. Run a computation with {@link KyotoRuntime#blockOn} or
 * {@link KyotoRuntime#spawn}.
 *
 * @param <T> the type of the value it completes with
 */
@FunctionalInterface
public interface Async<T> {

    /**
     * Makes as much progress as possible without blocking.
     *
     * @param cx the poll's context; a pending result must have arranged for {@code cx.waker()} to be woken
     * @return the value when finished, else {@link Poll#pending()}
     * @throws Exception the computation's failure, unchanged
     */
    Poll<T> poll(Context cx) throws Exception;

    /**
     * Abandons an unfinished computation: releases what it holds (readiness waiters,
     * registrations, half-open sockets). Called at most once, and never after the computation
     * returned ready or threw. This is the Java stand-in for dropping a Rust future.
     */
    default void cancel() {
    }

    /** A computation that applies {@code f} to this one's value. */
    default <R> Async<R> map(ThrowingFunction<? super T, ? extends R> f) {
        return new Mapped<>(this, Objects.requireNonNull(f, "f"));
    }

    /** A computation that runs the one {@code f} returns for this one's value (flat-map). */
    default <R> Async<R> then(ThrowingFunction<? super T, ? extends Async<R>> f) {
        return new Then<>(this, Objects.requireNonNull(f, "f"));
    }

    /** A computation that turns this one's failure into a value with {@code f}. */
    default Async<T> recover(ThrowingFunction<? super Exception, ? extends T> f) {
        return new Recover<>(this, Exception.class, Objects.requireNonNull(f, "f"));
    }

    /** A computation that is ready at once with {@code value}. */
    static <T> Async<T> ready(T value) {
        return cx -> Poll.ready(value);
    }

    /** A computation that fails at once with {@code failure}. */
    static <T> Async<T> failed(Exception failure) {
        Objects.requireNonNull(failure, "failure");
        return cx -> {
            throw failure;
        };
    }

    /**
     * Gives other tasks a turn: pending once, ready on the next poll. Inside a runtime the task is
     * woken only after the scheduler has next polled the I/O driver, so a task that yields in a
     * loop cannot starve I/O.
     */
    static Async<Void> yieldNow() {
        return new Async<>() {
            private boolean yielded;

            @Override
            public Poll<Void> poll(Context cx) {
                if (yielded) {
                    return Poll.ready(null);
                }
                yielded = true;
                RuntimeContext.defer(cx.waker());
                return Poll.pending();
            }
        };
    }

    /**
     * A computation that completes when {@code stage} does, with its value or its failure
     * (a {@link java.util.concurrent.CompletionException} is unwrapped to its cause).
     *
     * <p>{@linkplain #cancel() Cancelling} the computation (a timeout firing, an aborted task)
     * only stops listening: the callback it put on the stage is removed, and the stage no longer
     * holds the waiting task. The stage itself is not cancelled, since others may be waiting on
     * it; cancel it yourself if it is yours alone. For the other direction, see
     * {@link JoinHandle#toCompletableFuture()}.
     */
    static <T> Async<T> fromCompletionStage(CompletionStage<T> stage) {
        return new FromStage<>(stage.toCompletableFuture());
    }
}
