package dev.kyoto.runtime;

/**
 * {@link Async#map}: applies a function to the value of its one child. Stateless beyond the
 * child, so it needs no flag: it is never polled again once it returned ready or threw, and
 * {@link #cancel()} reaches the child, which is live whenever this is.
 */
final class Mapped<T, R> implements Async<R> {
    private final Async<T> inner;
    private final ThrowingFunction<? super T, ? extends R> f;

    Mapped(Async<T> inner, ThrowingFunction<? super T, ? extends R> f) {
        this.inner = inner;
        this.f = f;
    }

    @Override
    public Poll<R> poll(Context cx) throws Exception {
        Poll<T> p = inner.poll(cx);
        return p instanceof Poll.Ready<T>(T v) ? Poll.ready(f.apply(v)) : Poll.pending();
    }

    @Override
    public void cancel() {
        inner.cancel();
    }
}
