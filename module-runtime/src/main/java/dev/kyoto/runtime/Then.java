package dev.kyoto.runtime;

/**
 * {@link Async#then} (flat-map). When the function returns another {@code Then}, this one adopts
 * its state instead of nesting it, so a loop written as {@code step().then(v -> loop())} runs in
 * constant stack depth and constant poll cost however many times it goes round.
 *
 * <p>State: before the first child is ready, {@code first} and {@code f} are set and
 * {@code second} is null; afterwards {@code second} is the live child and the other two are null.
 * {@link #cancel()} reaches whichever child is live.
 */
final class Then<T, R> implements Async<R> {
    private Async<Object> first;
    private ThrowingFunction<Object, ? extends Async<R>> f;
    private Async<R> second;

    @SuppressWarnings("unchecked")
    Then(Async<T> first, ThrowingFunction<? super T, ? extends Async<R>> f) {
        this.first = (Async<Object>) first;
        this.f = (ThrowingFunction<Object, ? extends Async<R>>) f;
    }

    @Override
    public Poll<R> poll(Context cx) throws Exception {
        for (;;) {
            if (second == null) {
                Poll<Object> p = first.poll(cx);
                if (!(p instanceof Poll.Ready<Object>(Object v))) {
                    return Poll.pending();
                }
                Async<R> next = f.apply(v);
                if (next instanceof Then<?, R> inner) {
                    first = inner.first;
                    f = inner.f;
                    second = inner.second;
                    continue;
                }
                second = next;
                first = null;
                f = null;
            }
            return second.poll(cx);
        }
    }

    @Override
    public void cancel() {
        if (second != null) {
            second.cancel();
        } else if (first != null) {
            first.cancel();
        }
    }
}
