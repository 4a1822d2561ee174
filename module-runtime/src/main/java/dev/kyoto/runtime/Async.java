package dev.kyoto.runtime;

import dev.kyoto.runtime.internal.context.RuntimeContext;
import dev.kyoto.runtime.internal.scheduler.ThreadAwaiter;
import java.util.Arrays;
import java.util.List;
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
 * <p>An unfinished computation that is abandoned (its task aborted, a timeout fired, it lost a
 * race) is {@linkplain #cancel() cancelled}: that is where it releases what it holds, as dropping
 * a future does in Rust. The combinators below forward {@code cancel()} to the computations they
 * run, so releasing reaches every level.
 *
 * <p>Combinators, each a small state machine that allocates nothing per poll:
 * <ul>
 *   <li>sequencing: {@link #map}, {@link #then} (flat-map), {@link #loop};</li>
 *   <li>failures: {@link #recover(ThrowingFunction)}, {@link #recover(Class, ThrowingFunction)},
 *       {@link #recoverWith};</li>
 *   <li>ownership: {@link #using} (try-with-resources), {@link #ensure} ({@code finally}),
 *       {@link #defer} (build the computation when it first runs);</li>
 *   <li>concurrency inside one task: {@link #all(List)} (Tokio's {@code try_join!}),
 *       {@link #race(List)} (Tokio's {@code select!});</li>
 *   <li>leaves: {@link #ready}, {@link #failed}, {@link #yieldNow},
 *       {@link #fromCompletionStage}.</li>
 * </ul>
 * Run a computation with {@link KyotoRuntime#blockOn} or {@link KyotoRuntime#spawn}, or
 * {@link #await()} it from straight-line code on a virtual thread
 * ({@link KyotoRuntime#spawnVirtual}).
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
     * registrations, half-open sockets). Called at most once, possibly before the first poll, and
     * never after the computation returned ready or threw. This is the Java stand-in for dropping
     * a Rust future. It must not throw: a combinator cancels several computations in a row, and a
     * cancellation has nobody to report a failure to.
     */
    default void cancel() {
    }

    /**
     * Runs this computation to completion on the calling thread and returns its value: Kyoto's
     * {@code .await} for straight-line code on virtual threads.
     *
     * <pre>{@code
     * rt.spawnVirtual(() -> {
     *     try (TcpStream s = TcpStream.connect("127.0.0.1:7000").await()) {
     *         s.writeAll(ByteBuffer.wrap(hello)).await();
     *         return s.read(reply).await();
     *     }
     * });
     * }</pre>
     *
     * <p>The computation is polled on the calling thread. While it is pending the thread parks (a
     * virtual thread unmounts, freeing its carrier) and the computation's waker unparks it; the
     * runtime's workers drive I/O and timers meanwhile. Everything composes:
     * {@code Time.timeout(d, x).await()}, {@code Async.race(a, b).await()}, a channel's
     * {@code recv().await()}, a {@link JoinHandle}'s {@code await()}.
     *
     * <p>The calling thread must have a multi-thread runtime entered: a body started by
     * {@link KyotoRuntime#spawnVirtual} has; any other thread (virtual or platform) may enter one
     * with {@link Handle#enter()}. It must not be a thread that runs Kyoto tasks: a worker, a
     * task's poll, a thread inside {@link KyotoRuntime#blockOn blockOn}. Waiting there would stall
     * the tasks the thread runs, so it fails at once instead.
     *
     * <p>Interrupting the thread while the computation is pending (or before it would wait)
     * cancels the computation, which releases what it holds (its registrations, permits, half-open
     * sockets), and throws {@link InterruptedException} with the interrupt status cleared. In a
     * virtual task whose {@link JoinHandle#abort()} was called it throws
     * {@link java.util.concurrent.CancellationException} instead, and so does every later
     * {@code await()} of that task, at once, cancelling the computation it was given: the body
     * unwinds through its {@code finally} blocks and try-with-resources, and the task ends
     * cancelled. A computation that is ready when first polled is returned even if the thread is
     * interrupted.
     *
     * @return the computation's value
     * @throws Exception the computation's failure, unchanged
     * @throws InterruptedException if the thread was interrupted while the computation was pending
     * @throws java.util.concurrent.CancellationException if the calling virtual task was aborted
     * @throws IllegalStateException if the calling thread runs Kyoto tasks, has no runtime entered,
     *         has a current-thread runtime entered, or its runtime was shut down
     */
    default T await() throws Exception {
        return ThreadAwaiter.await(this);
    }

    /**
     * A computation that applies {@code f} to this one's value.
     *
     * <p>{@code f} runs in the poll in which this computation completes; what it throws fails the
     * result. Cancelling the result cancels this computation.
     *
     * @param <R> the type of the new value
     * @param f the function; never null
     * @return the computation
     */
    default <R> Async<R> map(ThrowingFunction<? super T, ? extends R> f) {
        return new Mapped<>(this, Objects.requireNonNull(f, "f"));
    }

    /**
     * A computation that runs the one {@code f} returns for this one's value (flat-map).
     *
     * <p>{@code f} runs in the poll in which this computation completes, and the computation it
     * returns is polled at once. Cancelling the result cancels whichever of the two is running.
     * A chain that comes back to itself ({@code step().then(v -> again())}) runs in constant stack
     * depth; for a loop, {@link #loop} says it more plainly.
     *
     * @param <R> the value type of the computation {@code f} returns
     * @param f the function; never null
     * @return the computation
     */
    default <R> Async<R> then(ThrowingFunction<? super T, ? extends Async<R>> f) {
        return new Then<>(this, Objects.requireNonNull(f, "f"));
    }

    /**
     * A computation that turns this one's failure, any {@link Exception}, into a value with
     * {@code f}. What {@code f} throws fails the result; an {@link Error} is never recovered.
     * Cancelling the result cancels this computation.
     *
     * @param f the function; never null
     * @return the computation
     */
    default Async<T> recover(ThrowingFunction<? super Exception, ? extends T> f) {
        return new Recover<>(this, Exception.class, Objects.requireNonNull(f, "f"));
    }

    /**
     * A computation that turns this one's failure into a value with {@code f} when the failure is
     * an instance of {@code type}, as a {@code catch (E e)} clause does; any other failure
     * propagates unchanged.
     *
     * <pre>{@code
     * Async<Integer> orMinusOne = stream.read(buf).recover(SocketTimeoutException.class, e -> -1);
     * }</pre>
     *
     * <p>What {@code f} throws fails the result. Cancelling the result cancels this computation.
     *
     * @param <E> the type of the failures to recover from
     * @param type the failures to recover from; never null
     * @param f the function; never null
     * @return the computation
     */
    default <E extends Exception> Async<T> recover(Class<E> type, ThrowingFunction<? super E, ? extends T> f) {
        return new Recover<>(this, Objects.requireNonNull(type, "type"), Objects.requireNonNull(f, "f"));
    }

    /**
     * A computation that, when this one fails, runs the computation {@code f} makes of the
     * failure instead, and completes as that one does (a fallback, a retry).
     *
     * <p>{@code f} runs in the poll in which this computation fails; what it throws, or a failure
     * of the computation it returns, fails the result. Cancelling the result cancels whichever of
     * the two is running.
     *
     * @param f the function; never null; it must not return null
     * @return the computation
     */
    default Async<T> recoverWith(ThrowingFunction<? super Exception, ? extends Async<T>> f) {
        return new RecoverWith<>(this, Objects.requireNonNull(f, "f"));
    }

    /**
     * A computation that completes as this one does and runs {@code action} when this one ends,
     * however it ends: Java's {@code finally}.
     *
     * <p>The action runs exactly once: in the poll in which this computation returns its value or
     * throws, or in {@code cancel()} (after this computation's own {@code cancel()}), also when
     * the result is cancelled before it was ever polled. Failures follow try-with-resources:
     * <ul>
     *   <li>after success, the action's failure fails the result;</li>
     *   <li>after a failure, the action's failure is added to it as
     *       {@linkplain Throwable#addSuppressed suppressed}, and the original failure is thrown;</li>
     *   <li>in {@code cancel()}, which must not throw, the action's failure is logged at WARN
     *       (logger {@code dev.kyoto.runtime.Ensure}) and dropped.</li>
     * </ul>
     * For a resource to close, {@link #using} says it in one step.
     *
     * @param action the action; never null
     * @return the computation
     */
    default Async<T> ensure(ThrowingRunnable action) {
        return new Ensure<>(this, Objects.requireNonNull(action, "action"));
    }

    /**
     * A computation that is ready at once with {@code value}, at every poll.
     *
     * @param <T> the value type
     * @param value the value; may be null
     * @return the computation
     */
    static <T> Async<T> ready(T value) {
        return cx -> Poll.ready(value);
    }

    /**
     * A computation that fails at once with {@code failure}, at every poll.
     *
     * @param <T> the value type
     * @param failure what the poll throws; never null
     * @return the computation
     */
    static <T> Async<T> failed(Exception failure) {
        Objects.requireNonNull(failure, "failure");
        return cx -> {
            throw failure;
        };
    }

    /**
     * A computation built when it first runs: {@code body} is called at the first poll, on the
     * thread that polls it, and the computation it returns is run in its place.
     *
     * <p>Code that needs the runtime ({@link Handle#current()}, opening sockets) or that opens
     * resources belongs inside {@code defer}: then it runs inside the task, and only if the
     * computation runs at all. What {@code body} throws fails the computation. Cancelling before
     * the first poll never calls {@code body}; afterwards it cancels the computation {@code body}
     * returned.
     *
     * <pre>{@code
     * Async<Void> serve = Async.defer(() -> {
     *     Handle rt = Handle.current();
     *     return listener.accept().map(s -> { rt.spawn(handle(s)); return null; });
     * });
     * }</pre>
     *
     * @param <T> the value type
     * @param body makes the computation; never null; it must not return null
     * @return the computation
     */
    static <T> Async<T> defer(ThrowingSupplier<? extends Async<T>> body) {
        return new Defer<>(Objects.requireNonNull(body, "body"));
    }

    /**
     * A computation that uses {@code resource} and closes it when done, whatever happens:
     * try-with-resources for computations, and the way a task owns what it opened. This is the
     * idiom for connections:
     *
     * <pre>{@code
     * Async<Void> server = Async.loop(() -> listener.accept().map(s -> {
     *     Handle.current().spawn(Async.using(s, conn -> echo(conn)));
     *     return true;
     * }));
     * }</pre>
     *
     * <p>{@code body} is applied to the resource at the first poll, and the computation it
     * returns runs in its place. The resource is closed exactly once, as soon as that computation
     * ends in any way:
     * <ul>
     *   <li>it completes: the resource is closed in the same poll, then the value is returned;
     *       a close failure fails the result;</li>
     *   <li>it fails, or {@code body} itself throws: the resource is closed, a close failure is
     *       added to the failure as {@linkplain Throwable#addSuppressed suppressed}, and the
     *       failure is thrown;</li>
     *   <li>it is cancelled (the task is aborted, a {@code Time.timeout} fires, it loses a
     *       {@link #race}, the runtime shuts down), even before its first poll: the body's
     *       computation is cancelled, then the resource is closed; {@code body} is never applied
     *       if it had not been yet. A close failure is logged at WARN (logger
     *       {@code dev.kyoto.runtime.Using}) and dropped, since {@code cancel()} must not throw.</li>
     * </ul>
     * A null resource is never closed, as in try-with-resources. The resource should be open
     * already; to open it inside the task as well, wrap the whole in {@link #defer} or write
     * {@code open().then(r -> Async.using(r, body))}.
     *
     * @param <R> the resource type
     * @param <T> the value type
     * @param resource what to close at the end; may be null
     * @param body makes the computation that uses it; never null; it must not return null
     * @return the computation
     */
    static <R extends AutoCloseable, T> Async<T> using(R resource, ThrowingFunction<? super R, ? extends Async<T>> body) {
        return new Using<>(resource, Objects.requireNonNull(body, "body"));
    }

    /**
     * A computation that runs all of {@code computations} at once inside the one task that polls
     * it, and completes with their values in the order of the list: Tokio's {@code try_join!}.
     *
     * <p>The first poll polls each computation in list order; later polls poll only those whose
     * waker was woken since. The first failure (an exception from any of them) cancels every one
     * that has not finished, then is thrown. Cancelling the result cancels every one that has not
     * finished. An empty list gives a computation that is ready at once with an empty list. The
     * resulting list is unmodifiable and may hold nulls (for computations of {@code Void}).
     *
     * <p>The list is copied now; later changes to it have no effect. To run computations on
     * several threads, spawn them as tasks instead.
     *
     * @param <T> the value type
     * @param computations the computations; never null, nor any element
     * @return the computation
     * @throws NullPointerException if the list or one of its elements is null (the message names the index)
     */
    static <T> Async<List<T>> all(List<? extends Async<T>> computations) {
        Objects.requireNonNull(computations, "computations");
        if (computations.isEmpty()) {
            return ready(List.of());
        }
        return new All<>(new Siblings<>(computations, "Async.all"));
    }

    /**
     * A computation that runs all of {@code computations} at once inside the one task that polls
     * it, and ends as the first of them to end, with its value or its failure: Tokio's
     * {@code select!}. Every other computation is cancelled before that value is returned or that
     * failure thrown, so a loser releases what it holds (a read in progress, a timer, a permit
     * being waited for) before the caller continues.
     *
     * <p>The order is biased, like {@code select! { biased; ... }}: every poll looks at the
     * computations in list order, so when several could finish in the same poll, the first in the
     * list wins, and a computation that is always ready starves the ones after it. Put the one that
     * must win ties (a shutdown signal, a deadline) first. The first poll polls every computation;
     * later polls poll only those whose waker was woken since. Cancelling the result cancels them
     * all.
     *
     * <p>The list is copied now; later changes to it have no effect.
     *
     * @param <T> the value type
     * @param computations the computations, at least one; none null
     * @return the computation
     * @throws NullPointerException if the list or one of its elements is null (the message names the index)
     * @throws IllegalArgumentException if the list is empty
     */
    static <T> Async<T> race(List<? extends Async<T>> computations) {
        Objects.requireNonNull(computations, "computations");
        if (computations.isEmpty()) {
            throw new IllegalArgumentException("Async.race needs at least one computation: a race of none could never "
                    + "end; pass one or more, or use Async.ready/Async.failed for an outcome known in advance");
        }
        return new Race<>(new Siblings<>(computations, "Async.race"));
    }

    /**
     * A race of two computations; see {@link #race(List)}. On a tie {@code first} wins.
     *
     * <pre>{@code
     * Async<Integer> readOrGiveUp = Async.race(stream.read(buf), stop.notified().map(v -> -1));
     * }</pre>
     *
     * @param <T> the value type
     * @param first the computation that wins ties; never null
     * @param second the other; never null
     * @return the computation
     * @throws NullPointerException if either is null
     */
    static <T> Async<T> race(Async<T> first, Async<T> second) {
        return race(Arrays.asList(first, second));
    }

    /**
     * A computation that runs {@code body}'s computation again and again while it completes with
     * true: a {@code while} loop for computations. Each run is made by calling {@code body} when
     * the previous run has completed (the first at the first poll), so runs never overlap.
     *
     * <pre>{@code
     * Async<Void> echo = Async.loop(() -> s.read(buf.clear()).then(n -> n < 0
     *         ? Async.ready(false)
     *         : s.writeAll(buf.flip()).map(v -> true)));
     * }</pre>
     *
     * <p>The loop completes (with null) in the poll in which a run completes with false. A
     * failure of a run, or of {@code body}, ends the loop and is thrown. A run that completes with
     * null fails the loop with {@link IllegalStateException}. Cancelling the loop cancels the run
     * in progress.
     *
     * <p>However many runs complete at once, the loop runs in constant stack depth and allocates
     * nothing beyond what {@code body} does. It is cooperative: each run spends one unit of the
     * task's budget (see {@link dev.kyoto.runtime.spi.Coop}), and when the budget is used up the
     * loop returns pending and is polled again after the scheduler next polls its I/O driver, so
     * a loop whose runs are always ready does not starve the other tasks of its thread.
     *
     * @param body makes each run; never null; it must not return null
     * @return the computation
     */
    static Async<Void> loop(ThrowingSupplier<? extends Async<Boolean>> body) {
        return new Loop(Objects.requireNonNull(body, "body"));
    }

    /**
     * Gives other tasks a turn: pending once, ready on the next poll. Inside a runtime the task is
     * woken only after the scheduler has next polled the I/O driver, so a task that yields in a
     * loop cannot starve I/O.
     *
     * @return the computation
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
     *
     * @param <T> the value type
     * @param stage the stage to wait for; never null
     * @return the computation
     */
    static <T> Async<T> fromCompletionStage(CompletionStage<T> stage) {
        return new FromStage<>(stage.toCompletableFuture());
    }
}
