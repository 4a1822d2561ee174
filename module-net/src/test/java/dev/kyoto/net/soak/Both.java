package dev.kyoto.net.soak;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;

/**
 * Two computations polled side by side in one task (writing to a socket while reading its other
 * direction, say), complete when both are; the value is the second's. Polled by one task at a
 * time, so its fields need no synchronisation.
 */
final class Both<T> implements Async<T> {
    private Async<?> first;
    private Async<T> second;
    private T value;

    private Both(Async<?> first, Async<T> second) {
        this.first = first;
        this.second = second;
    }

    static <T> Async<T> of(Async<?> first, Async<T> second) {
        return new Both<>(first, second);
    }

    @Override
    public Poll<T> poll(Context cx) throws Exception {
        if (first != null && first.poll(cx).isReady()) {
            first = null;
        }
        if (second != null) {
            Poll<T> p = second.poll(cx);
            if (p instanceof Poll.Ready<T>(T v)) {
                value = v;
                second = null;
            }
        }
        return first == null && second == null ? Poll.ready(value) : Poll.pending();
    }

    @Override
    public void cancel() {
        if (first != null) {
            first.cancel();
        }
        if (second != null) {
            second.cancel();
        }
    }
}
