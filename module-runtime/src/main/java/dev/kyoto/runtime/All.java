package dev.kyoto.runtime;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * {@link Async#all}: runs its children at once inside the polling task and completes with their
 * values in list order, or with the first failure, after cancelling every child still running.
 * Tokio's {@code try_join!}.
 *
 * <p>State, touched only by the polling task: {@code siblings} holds the live children;
 * {@code values[i]} is child {@code i}'s value once it is ready; {@code remaining} counts the
 * children not ready yet. The first poll polls every child, later polls only the woken ones.
 */
final class All<T> implements Async<List<T>> {
    private final Siblings<T> siblings;
    private final Object[] values;
    private int remaining;

    All(Siblings<T> siblings) {
        this.siblings = siblings;
        this.values = new Object[siblings.size()];
        this.remaining = siblings.size();
    }

    @Override
    @SuppressWarnings("unchecked")
    public Poll<List<T>> poll(Context cx) throws Exception {
        siblings.enter(cx);
        for (int i = 0; i < values.length; i++) {
            if (!siblings.takeWoken(i)) {
                continue;
            }
            Poll<T> p;
            try {
                p = siblings.poll(i);
            } catch (Throwable failure) {
                siblings.cancelAll(failure);
                throw failure;
            }
            if (p instanceof Poll.Ready<T>(T v)) {
                values[i] = v;
                remaining--;
            }
        }
        if (remaining > 0) {
            return Poll.pending();
        }
        siblings.finished();
        return Poll.ready(Collections.unmodifiableList(Arrays.asList((T[]) values)));
    }

    @Override
    public void cancel() {
        siblings.cancelAll(null);
    }
}
