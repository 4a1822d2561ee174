package dev.kyoto.runtime;

import dev.kyoto.runtime.internal.task.JoinCell;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * The handle of a spawned task, and itself an {@link Async} of the task's outcome.
 *
 * <p>Polling (or {@link KyotoRuntime#blockOn awaiting}) the handle yields the task's value,
 * rethrows the task's exception unchanged, or throws {@link CancellationException} if the task
 * was {@linkplain #abort() aborted} or its runtime shut down first. Losing interest in a handle
 * ({@link #cancel()}, or simply dropping it) detaches the task; it never aborts it.
 *
 * @param <T> the task's value type
 */
public sealed interface JoinHandle<T> extends Async<T> permits JoinCell {

    /**
     * Asks the task to stop. A task that is not running is cancelled at its next scheduling; a
     * running task is cancelled when its current poll returns. Either way its future's
     * {@link Async#cancel()} runs exactly once and joiners get {@link CancellationException}.
     * Aborting a finished task does nothing; a blocking task can only be aborted before it starts.
     */
    void abort();

    /** Whether the task has finished: with a value, a failure, or by cancellation. */
    boolean isFinished();

    /** A {@link CompletableFuture} that completes with the task's outcome, for code outside Kyoto. */
    CompletableFuture<T> toCompletableFuture();

    /** Detaches from the task: it keeps running, and nobody is woken when it finishes. */
    @Override
    void cancel();
}
