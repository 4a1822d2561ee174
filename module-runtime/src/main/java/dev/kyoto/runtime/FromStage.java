package dev.kyoto.runtime;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Waits for a {@link CompletableFuture}. {@link CompletableFuture} has no way to remove a
 * callback, so the subscription is a two-source completion {@code detach.runAfterEither(future)}:
 * cancelling completes {@code detach}, which fires that completion, and the JDK then unlinks
 * the dead completion from {@code future}'s stack ({@code cleanStack}, run when a dependent
 * fires while a source is still incomplete). A cancelled wait therefore leaves nothing on the
 * future, however many waits on a future that never completes are cancelled. The callback
 * hangs off the completion's own dependent, because an "either" action is skipped when the
 * source that completes first failed. Cancelling never cancels the future itself: it may be
 * shared, and this only stops listening.
 *
 * <p>{@code waker} is volatile: the polling task stores it and then re-reads the future's
 * state; the completing thread sets that state and then reads {@code waker} in the callback,
 * so one of them sees the other. {@code cancel()} clears it, so a future that outlives the
 * wait does not keep the task reachable. {@code detach} is touched only by the polling task.
 */
final class FromStage<T> implements Async<T> {
    private static final Runnable NOTHING = () -> { };

    private final CompletableFuture<T> future;
    private CompletableFuture<Void> detach;
    private volatile Waker waker;

    FromStage(CompletableFuture<T> future) {
        this.future = future;
    }

    @Override
    public Poll<T> poll(Context cx) throws Exception {
        if (future.isDone()) {
            return Poll.ready(outcome());
        }
        Waker w = cx.waker();
        if (waker != w) {
            waker = w;
        }
        if (detach == null) {
            detach = new CompletableFuture<>();
            detach.runAfterEither(future, NOTHING).whenComplete((v, e) -> {
                Waker current = waker;
                if (current != null) {
                    current.wake();
                }
            });
        }
        return future.isDone() ? Poll.ready(outcome()) : Poll.pending();
    }

    private T outcome() throws Exception {
        try {
            return future.get();
        } catch (ExecutionException | CompletionException e) {
            throw unwrap(e);
        }
    }

    /** Stops listening to the future, leaving no callback on it; the future itself is left alone. */
    @Override
    public void cancel() {
        waker = null;
        if (detach != null) {
            detach.complete(null);
        }
    }

    private static Exception unwrap(Exception e) {
        Throwable cause = e.getCause();
        if (cause instanceof Exception ex) {
            return ex;
        }
        if (cause instanceof Error err) {
            throw err;
        }
        return e;
    }
}
