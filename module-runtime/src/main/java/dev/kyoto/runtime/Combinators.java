package dev.kyoto.runtime;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The state machines behind {@link Async}'s combinators. Each holds at most one live child and
 * forwards {@link Async#cancel()} to it.
 */
final class Combinators {
    private Combinators() {
    }

    static final class Map<T, R> implements Async<R> {
        private final Async<T> inner;
        private final ThrowingFunction<? super T, ? extends R> f;

        Map(Async<T> inner, ThrowingFunction<? super T, ? extends R> f) {
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

    /**
     * Flat-map. When the function returns another {@code Then}, this one adopts its state instead
     * of nesting it, so a loop written as {@code step().then(v -> loop())} runs in constant stack
     * depth and constant poll cost however many times it goes round.
     */
    static final class Then<T, R> implements Async<R> {
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

    static final class Recover<T> implements Async<T> {
        private final Async<T> inner;
        private final ThrowingFunction<? super Exception, ? extends T> f;

        Recover(Async<T> inner, ThrowingFunction<? super Exception, ? extends T> f) {
            this.inner = inner;
            this.f = f;
        }

        @Override
        public Poll<T> poll(Context cx) throws Exception {
            try {
                return inner.poll(cx);
            } catch (Exception e) {
                return Poll.ready(f.apply(e));
            }
        }

        @Override
        public void cancel() {
            inner.cancel();
        }
    }

    static final class FromStage<T> implements Async<T> {
        private final CompletableFuture<T> future;
        private boolean subscribed;

        FromStage(CompletableFuture<T> future) {
            this.future = future;
        }

        @Override
        public Poll<T> poll(Context cx) throws Exception {
            if (future.isDone()) {
                try {
                    return Poll.ready(future.get());
                } catch (ExecutionException | CompletionException e) {
                    throw unwrap(e);
                }
            }
            if (!subscribed) {
                subscribed = true;
                Waker waker = cx.waker();
                future.whenComplete((v, e) -> waker.wake());
            }
            return Poll.pending();
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
}
