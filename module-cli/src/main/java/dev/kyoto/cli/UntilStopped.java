package dev.kyoto.cli;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.task.CancellationToken;

/**
 * Runs a computation until it ends or a {@link CancellationToken} is cancelled, whichever comes
 * first; then cancels the other, so the loser releases what it holds (the token's waiter, or the
 * computation's registrations). Completes with whether the token stopped it; the computation's
 * value is dropped and its failure passes unchanged. The token is polled first, so a stop is seen even while the computation keeps busy.
 * A two-way race, written here until {@code Async.race} lands.
 *
 * <p>Polled and cancelled by one task at a time: {@code done} is that task's.
 */
final class UntilStopped implements Async<Boolean> {
    private static final Poll<Boolean> STOPPED = Poll.ready(true);
    private static final Poll<Boolean> ENDED = Poll.ready(false);

    private final Async<Void> stopped;
    private final Async<?> work;
    private boolean done;

    UntilStopped(CancellationToken stop, Async<?> work) {
        this.stopped = stop.cancelled();
        this.work = work;
    }

    @Override
    public Poll<Boolean> poll(Context cx) throws Exception {
        if (stopped.poll(cx).isReady()) {
            done = true;
            work.cancel();
            return STOPPED;
        }
        Poll<?> p;
        try {
            p = work.poll(cx);
        } catch (Exception | Error e) {
            done = true;
            stopped.cancel();
            throw e;
        }
        if (p.isReady()) {
            done = true;
            stopped.cancel();
            return ENDED;
        }
        return Poll.pending();
    }

    @Override
    public void cancel() {
        if (!done) {
            done = true;
            try {
                work.cancel();
            } finally {
                stopped.cancel();
            }
        }
    }
}
