package dev.kyoto.runtime;

import dev.kyoto.runtime.internal.context.RuntimeContext;

/**
 * {@link Async#loop}: runs the body's computation again and again, each run starting when the
 * last completed, while it completes with true.
 *
 * <p>State, touched only by the polling task: {@code current} is the live run, or null between
 * runs. Runs follow one another in a loop inside {@link #poll}, never by nesting, so the stack
 * stays flat however many runs complete at once. Starting a run spends one unit of the task's
 * cooperative budget; when the budget is spent the loop returns pending, and the task is polled
 * again after the scheduler next polls its driver, so a loop whose runs are always ready gives
 * the other tasks of its thread their turn. {@link #cancel()} reaches the live run.
 */
final class Loop implements Async<Void> {
    private final ThrowingSupplier<? extends Async<Boolean>> body;
    private Async<Boolean> current;

    Loop(ThrowingSupplier<? extends Async<Boolean>> body) {
        this.body = body;
    }

    @Override
    public Poll<Void> poll(Context cx) throws Exception {
        RuntimeContext rc = null;
        for (;;) {
            if (current == null) {
                if (rc == null) {
                    rc = RuntimeContext.get();
                }
                if (!rc.spend(cx.waker())) {
                    return Poll.pending();
                }
                Async<Boolean> run = body.get();
                if (run == null) {
                    throw new NullPointerException("the body of Async.loop returned null instead of a computation; "
                            + "return Async.ready(false) to stop the loop");
                }
                current = run;
            }
            Poll<Boolean> p = current.poll(cx);
            if (!(p instanceof Poll.Ready<Boolean>(Boolean again))) {
                return Poll.pending();
            }
            current = null;
            if (again == null) {
                throw new IllegalStateException("a run of Async.loop completed with null; complete it with true "
                        + "to run the body again or with false to end the loop");
            }
            if (!again) {
                return Poll.ready(null);
            }
        }
    }

    @Override
    public void cancel() {
        if (current != null) {
            current.cancel();
            current = null;
        }
    }
}
