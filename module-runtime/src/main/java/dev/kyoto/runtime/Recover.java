package dev.kyoto.runtime;

/**
 * {@link Async#recover}: turns its child's failure into a value when the failure is an instance
 * of {@code type} ({@code Exception.class} for the untyped form); any other failure, and every
 * {@link Error}, propagates unchanged. {@link #cancel()} reaches the child, which is live whenever
 * this is.
 */
final class Recover<T, E extends Exception> implements Async<T> {
    private final Async<T> inner;
    private final Class<E> type;
    private final ThrowingFunction<? super E, ? extends T> f;

    Recover(Async<T> inner, Class<E> type, ThrowingFunction<? super E, ? extends T> f) {
        this.inner = inner;
        this.type = type;
        this.f = f;
    }

    @Override
    public Poll<T> poll(Context cx) throws Exception {
        try {
            return inner.poll(cx);
        } catch (Exception e) {
            if (!type.isInstance(e)) {
                throw e;
            }
            return Poll.ready(f.apply(type.cast(e)));
        }
    }

    @Override
    public void cancel() {
        inner.cancel();
    }
}
