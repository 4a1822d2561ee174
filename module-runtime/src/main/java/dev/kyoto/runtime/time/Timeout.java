package dev.kyoto.runtime.time;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.internal.context.RuntimeContext;
import dev.kyoto.runtime.internal.scheduler.SchedulerHandle;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * Races a computation against a deadline: the computation is polled first, so one that is ready
 * wins even at a late deadline; when the deadline passes first the computation is cancelled and
 * {@link TimeoutException} is thrown. The timer is polled without spending the task's budget, so
 * the timeout fires even when the computation used all of it.
 */
final class Timeout<T> implements Async<T> {
    private final Async<T> inner;
    private final Sleep deadline;
    private final Duration limit;
    private boolean done;
    private boolean started;

    Timeout(Async<T> inner, Sleep deadline, Duration limit) {
        this.inner = inner;
        this.deadline = deadline;
        this.limit = limit;
    }

    @Override
    public Poll<T> poll(Context cx) throws Exception {
        if (!started) {
            // A runtime without timers fails every timeout, not only those whose computation is
            // still pending at the first poll: which one that is depends on the driver's timing.
            SchedulerHandle runtime = RuntimeContext.currentOrNull();
            if (runtime != null) {
                runtime.driver().time();
            }
            started = true;
        }
        Poll<T> p;
        try {
            p = inner.poll(cx);
        } catch (Exception | Error e) {
            finish();
            throw e;
        }
        if (p.isReady()) {
            finish();
            return p;
        }
        if (deadline.pollTimer(cx).isReady()) {
            done = true;
            inner.cancel();
            throw new TimeoutException("deadline has elapsed: the computation did not complete within " + limit);
        }
        return Poll.pending();
    }

    private void finish() {
        done = true;
        deadline.cancel();
    }

    @Override
    public void cancel() {
        if (!done) {
            done = true;
            inner.cancel();
            deadline.cancel();
        }
    }
}
