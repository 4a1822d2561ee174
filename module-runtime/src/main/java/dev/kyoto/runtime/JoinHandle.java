package dev.kyoto.runtime;

import dev.kyoto.runtime.internal.task.JoinCell;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * The handle of a spawned task, and itself an {@link Async} of the task's outcome.
 *
 * <p>Polling (or {@link KyotoRuntime#blockOn awaiting}) the handle yields the task's value,
 * rethrows the task's exception unchanged, or throws {@link CancellationException} if the task
 * was {@linkplain #abort() aborted} or its runtime shut down first. A handle is an ordinary
 * object: any number of tasks and threads may join it at once (poll it, {@code blockOn} it, or
 * wait on {@link #toCompletableFuture()}), and every one of them is woken when the task finishes.
 * Losing interest in a handle ({@link #cancel()}, or simply dropping it) detaches from the task;
 * it never aborts it.
 *
 * <p>A task that fails while nobody is joining it (a fire-and-forget task, say) has its failure
 * sent at once to the runtime's handler for unhandled failures
 * ({@link KyotoRuntime.Builder#onUnhandledFailure}; by default one WARN line naming the task). A
 * later join still sees the failure.
 *
 * @param <T> the task's value type
 */
public sealed interface JoinHandle<T> extends Async<T> permits JoinCell {

    /**
     * Asks the task to stop. A task that is not running is cancelled at its next scheduling; a
     * running task is cancelled when its current poll returns. Either way its future's
     * {@link Async#cancel()} runs exactly once and joiners get {@link CancellationException}.
     * Aborting a finished task does nothing; a blocking task can only be aborted before it starts.
     * A virtual task ({@link KyotoRuntime#spawnVirtual}) has its thread interrupted: the
     * computation it awaits is cancelled, its {@code await()} throws
     * {@link CancellationException}, and the task ends cancelled once its body returns.
     */
    void abort();

    /**
     * The task's name: the one given to {@link Handle#spawn(String, Async)}, or
     * {@code task-<hex>} for an unnamed task (the same for the task's whole life).
     */
    String name();

    /** Whether the task has finished: with a value, a failure, or by cancellation. */
    boolean isFinished();

    /**
     * A {@link CompletableFuture} that completes with the task's outcome, for code outside Kyoto;
     * every call returns the same future.
     *
     * <p>Cancelling it ({@link CompletableFuture#cancel(boolean)}) {@linkplain #abort() aborts}
     * the task: the future completes with {@link CancellationException} at once, and so, once the
     * abort takes effect, do the task and every other joiner. A blocking task that has already
     * started runs to its end; only the future is cancelled then. Completing the future by other
     * means ({@code complete}, {@code completeExceptionally}, {@code orTimeout}) does not touch
     * the task, and cancelling a future derived from it ({@code thenApply} and the like) does not
     * reach back to it, as everywhere in the JDK.
     */
    CompletableFuture<T> toCompletableFuture();

    /**
     * Detaches the caller from the task: the task keeps running. Other joiners of the same handle
     * are unaffected, and still woken when the task finishes (a joiner that is not a task may be
     * woken once early and simply polls again).
     */
    @Override
    void cancel();
}
