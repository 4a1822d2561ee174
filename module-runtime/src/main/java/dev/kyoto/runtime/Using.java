package dev.kyoto.runtime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Async#using}: try-with-resources for a computation. The body function is applied at the
 * first poll; the resource is closed once, when the body's computation ends in any way, or when
 * the body function throws, or when this is cancelled (even before the first poll, in which case
 * the body is never applied). A null resource is never closed, as in try-with-resources.
 *
 * <p>State, touched only by the polling task (or the thread that cancels the task, which the
 * task hands over first): {@code body} until the first poll, then {@code inner}, the body's
 * computation; {@code closed} turns true when the resource is about to be closed, after which
 * nothing is polled or cancelled again. Failures follow try-with-resources: a close failure is
 * added as suppressed to the body's failure, and is the computation's failure after success. In
 * {@link #cancel()}, which has nobody to throw to, a close failure is logged at WARN and dropped.
 */
final class Using<R extends AutoCloseable, T> implements Async<T> {
    private static final Logger LOG = LoggerFactory.getLogger(Using.class);

    private final R resource;
    private ThrowingFunction<? super R, ? extends Async<T>> body;
    private Async<T> inner;
    private boolean closed;

    Using(R resource, ThrowingFunction<? super R, ? extends Async<T>> body) {
        this.resource = resource;
        this.body = body;
    }

    @Override
    public Poll<T> poll(Context cx) throws Exception {
        Poll<T> p;
        try {
            if (inner == null) {
                Async<T> made = body.apply(resource);
                if (made == null) {
                    throw new NullPointerException("the body of Async.using returned null instead of a computation; "
                            + "return Async.ready(null) for one that does nothing");
                }
                inner = made;
                body = null;
            }
            p = inner.poll(cx);
        } catch (Throwable failure) {
            closed = true;
            try {
                close();
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
        closed = true;
        close();
        return p;
    }

    @Override
    public void cancel() {
        if (closed) {
            return;
        }
        closed = true;
        body = null;
        try {
            if (inner != null) {
                inner.cancel();
            }
        } finally {
            try {
                close();
            } catch (Exception e) {
                LOG.warn("closing {} failed while the computation using it was being cancelled; "
                        + "cancel() cannot report a failure, so it is logged here and dropped", resource, e);
            }
        }
    }

    private void close() throws Exception {
        if (resource != null) {
            resource.close();
        }
    }
}
