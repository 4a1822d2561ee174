package dev.kyoto.runtime;

/**
 * {@link Async#defer}: makes its one child by calling {@code body} at the first poll, on the
 * thread and inside the runtime that polls it.
 *
 * <p>State, touched only by the polling task: {@code body} until the first poll, then
 * {@code inner}, the computation it returned. {@link #cancel()} before the first poll never calls
 * {@code body}; afterwards it reaches {@code inner}.
 */
final class Defer<T> implements Async<T> {
    private ThrowingSupplier<? extends Async<T>> body;
    private Async<T> inner;

    Defer(ThrowingSupplier<? extends Async<T>> body) {
        this.body = body;
    }

    @Override
    public Poll<T> poll(Context cx) throws Exception {
        if (inner == null) {
            Async<T> made = body.get();
            if (made == null) {
                throw new NullPointerException("the body of Async.defer returned null instead of a computation; "
                        + "return Async.ready(null) for one that does nothing");
            }
            inner = made;
            body = null;
        }
        return inner.poll(cx);
    }

    @Override
    public void cancel() {
        body = null;
        if (inner != null) {
            inner.cancel();
        }
    }
}
