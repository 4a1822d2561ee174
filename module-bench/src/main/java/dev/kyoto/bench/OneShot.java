package dev.kyoto.bench;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.Waker;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A one-shot signal between two tasks, for ping_pong: Tokio's {@code oneshot::channel::<()>()}
 * cut down to what the benchmark needs (Kyoto has no channel types yet). One task
 * {@linkplain #send() sends} once; one task awaits it by polling.
 *
 * <p>The whole protocol is one atomic word, {@code state}: {@code null} (nothing yet), the
 * receiver's {@link Waker} (it is waiting), or {@link #SENT}. {@link #send()} swaps in
 * {@code SENT} and wakes whatever waker it swapped out. {@link #poll} stores its waker with a
 * compare-and-set from the value it just read; if that fails, the only other writer, the
 * sender, has set {@code SENT} in between, and the poll returns ready. So either the sender's swap
 * comes after the receiver's store and takes (and wakes) that waker, or it comes before and the
 * receiver sees {@code SENT}: no wake is lost, and a waker replaced by a later poll (the task's
 * waker is the same object anyway) is never woken stale.
 */
final class OneShot implements Async<Void> {
    private static final Object SENT = new Object();
    private static final Poll<Void> READY = Poll.ready(null);

    private final AtomicReference<Object> state = new AtomicReference<>();

    /** Sends the signal, waking the receiver if it is waiting. Called at most once. */
    void send() {
        Object previous = state.getAndSet(SENT);
        if (previous instanceof Waker w) {
            w.wake();
        }
    }

    /** Ready once {@link #send()} has happened; otherwise registers the waker. One receiver only. */
    @Override
    public Poll<Void> poll(Context cx) {
        Object s = state.get();
        if (s == SENT) {
            return READY;
        }
        return state.compareAndSet(s, cx.waker()) ? Poll.pending() : READY;
    }
}
