package dev.kyoto.runtime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Async#ensure}: Java's {@code finally} for a computation. The action runs once, when the
 * child ends in any of its three ways: it returned ready, it threw, or it was cancelled.
 *
 * <p>State, touched only by the polling task (or the thread that cancels the task, which the
 * task hands over first): {@code done} turns true when the action is about to run, so it can run
 * only once, and the child is never polled or cancelled after that. Failures follow
 * try-with-resources: after the child's failure, the action's own failure is added to it as
 * suppressed; after success, the action's failure is the computation's. In {@link #cancel()},
 * which has nobody to throw to, the action's exception is logged at WARN and dropped.
 */
final class Ensure<T> implements Async<T> {
    private static final Logger LOG = LoggerFactory.getLogger(Ensure.class);

    private final Async<T> inner;
    private final ThrowingRunnable action;
    private boolean done;

    Ensure(Async<T> inner, ThrowingRunnable action) {
        this.inner = inner;
        this.action = action;
    }

    @Override
    public Poll<T> poll(Context cx) throws Exception {
        Poll<T> p;
        try {
            p = inner.poll(cx);
        } catch (Throwable failure) {
            done = true;
            try {
                action.run();
            } catch (Throwable t) {
                if (t != failure) {
                    failure.addSuppressed(t);
                }
            }
            throw failure;
        }
        if (p.isPending()) {
            return p;
        }
        done = true;
        action.run();
        return p;
    }

    @Override
    public void cancel() {
        if (done) {
            return;
        }
        done = true;
        try {
            inner.cancel();
        } finally {
            try {
                action.run();
            } catch (Exception e) {
                LOG.warn("the action of Async.ensure failed while its computation, a {}, was being cancelled; "
                        + "cancel() cannot report a failure, so it is logged here and dropped", inner.getClass().getName(), e);
            }
        }
    }
}
