package dev.kyoto.runtime;

/**
 * {@link Async#race}: runs its children at once inside the polling task; the first to end, with
 * a value or a failure, decides the outcome, and every other child is cancelled before it is
 * returned or thrown. Children are polled in list order, so among children that are ready in the
 * same poll the first in the list wins: Tokio's {@code select! { biased; ... }}.
 *
 * <p>State, touched only by the polling task: {@code siblings} holds the live children (all of
 * them until the race is decided). The first poll polls every child, later polls only the woken
 * ones.
 */
final class Race<T> implements Async<T> {
    private final Siblings<T> siblings;

    Race(Siblings<T> siblings) {
        this.siblings = siblings;
    }

    @Override
    public Poll<T> poll(Context cx) throws Exception {
        siblings.enter(cx);
        for (int i = 0, n = siblings.size(); i < n; i++) {
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
            if (p.isReady()) {
                siblings.cancelAll(null);
                return p;
            }
        }
        return Poll.pending();
    }

    @Override
    public void cancel() {
        siblings.cancelAll(null);
    }
}
