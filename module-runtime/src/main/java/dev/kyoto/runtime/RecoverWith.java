package dev.kyoto.runtime;

/**
 * {@link Async#recoverWith}: when its child fails, runs the computation {@code f} makes of the
 * failure instead.
 *
 * <p>State, touched only by the polling task: {@code f} is set until the child failed; then it is
 * null and {@code inner} is the recovery computation. {@link #cancel()} reaches whichever child is
 * live. A failure of the recovery computation, or of {@code f} itself, propagates unchanged.
 */
final class RecoverWith<T> implements Async<T> {
    private Async<T> inner;
    private ThrowingFunction<? super Exception, ? extends Async<T>> f;

    RecoverWith(Async<T> inner, ThrowingFunction<? super Exception, ? extends Async<T>> f) {
        this.inner = inner;
        this.f = f;
    }

    @Override
    public Poll<T> poll(Context cx) throws Exception {
        if (f != null) {
            try {
                return inner.poll(cx);
            } catch (Exception e) {
                Async<T> recovery = f.apply(e);
                if (recovery == null) {
                    throw new NullPointerException("the function of Async.recoverWith returned null instead of a computation; "
                            + "return Async.ready(value) to recover with a value");
                }
                inner = recovery;
                f = null;
            }
        }
        return inner.poll(cx);
    }

    @Override
    public void cancel() {
        inner.cancel();
    }
}
