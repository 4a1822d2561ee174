package dev.kyoto.runtime.internal.task;

import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.Waker;
import dev.kyoto.runtime.internal.context.RuntimeContext;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The join side of a task: where its outcome is published and who is woken when it is.
 *
 * <p>Fields and the invariant that ties them:
 * <ul>
 *   <li>{@code outcome}: the value, or a {@link Failure}; written once by the completing thread
 *       before {@code done}, read only after reading {@code done == true}.</li>
 *   <li>{@code done}: volatile; false until the outcome is published.</li>
 *   <li>{@code joinWaker}: volatile; the waker of the task that last polled this handle, written
 *       by that task. The completer sets {@code done} then reads {@code joinWaker}; a joiner
 *       writes {@code joinWaker} then reads {@code done}: with both accesses volatile one of them
 *       sees the other, so no wake is lost.</li>
 *   <li>{@code stage}: volatile; the bridge future, installed once by CAS on demand. The completer
 *       sets {@code done} then reads {@code stage}; the installer sets {@code stage} then reads
 *       {@code done}: one of them settles it, maybe both (completing twice is harmless).</li>
 *   <li>{@code interested}: volatile; set once anybody polls the handle or asks for the bridge.
 *       A failure that completes while nobody is interested gets {@code unjoined}, a watch that
 *       logs it if the handle is collected before its outcome was observed.</li>
 * </ul>
 */
public abstract sealed class JoinCell<T> implements JoinHandle<T> permits Task, BlockingTask {
    private static final Logger LOG = LoggerFactory.getLogger(JoinCell.class);
    private static final VarHandle JOIN_WAKER;
    private static final VarHandle STAGE;

    static {
        try {
            JOIN_WAKER = MethodHandles.lookup().findVarHandle(JoinCell.class, "joinWaker", Waker.class);
            STAGE = MethodHandles.lookup().findVarHandle(JoinCell.class, "stage", CompletableFuture.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A failed or cancelled outcome. */
    private record Failure(Throwable cause) {
    }

    private static final Failure CANCELLED = new Failure(null);

    /**
     * A failure nobody had asked for when it happened. If the handle becomes unreachable before
     * anyone observes the outcome, the cleaner logs it: that is what "nobody joined" means in a
     * language without drop. Only failed tasks pay for this.
     */
    private static final class UnjoinedFailure implements Runnable {
        private final Throwable cause;
        private volatile boolean observed;

        UnjoinedFailure(Throwable cause) {
            this.cause = cause;
        }

        @Override
        public void run() {
            if (!observed) {
                LOG.warn("a Kyoto task failed and nobody joined it (poll its JoinHandle to handle the failure)", cause);
            }
        }
    }

    /** Created on first use: the cleaner owns a daemon thread. */
    private static final class Unjoined {
        static final Cleaner CLEANER = Cleaner.create(r -> {
            Thread t = new Thread(r, "kyoto-unjoined-failures");
            t.setDaemon(true);
            return t;
        });
    }

    private Object outcome;
    private volatile boolean done;
    private volatile Waker joinWaker;
    private volatile CompletableFuture<T> stage;
    private volatile boolean interested;
    private volatile UnjoinedFailure unjoined;

    /** Publishes a value and wakes the joiners. */
    protected final void completeWith(T value) {
        publish(value);
    }

    /** Publishes a failure and wakes the joiners. */
    protected final void failWith(Throwable cause) {
        publish(new Failure(cause));
    }

    /** Publishes cancellation and wakes the joiners. */
    protected final void completeCancelled() {
        publish(CANCELLED);
    }

    private void publish(Object result) {
        UnjoinedFailure watch = null;
        if (result instanceof Failure f && f != CANCELLED) {
            // Written before done, so any joiner that reads the outcome also finds the watch.
            watch = new UnjoinedFailure(f.cause());
            unjoined = watch;
        }
        outcome = result;
        done = true;
        Waker w = (Waker) JOIN_WAKER.getAndSet(this, (Waker) null);
        if (w != null) {
            w.wake();
        }
        CompletableFuture<T> s = stage;
        if (watch != null) {
            if (interested || w != null || s != null) {
                watch.observed = true;
            } else {
                Unjoined.CLEANER.register(this, watch);
            }
        }
        if (s != null) {
            settle(s);
        }
    }

    @Override
    public final Poll<T> poll(Context cx) throws Exception {
        RuntimeContext rc = RuntimeContext.get();
        if (!rc.spend(cx.waker())) {
            return Poll.pending();
        }
        if (!done) {
            interested = true;
            joinWaker = cx.waker();
            if (!done) {
                rc.refund();
                return Poll.pending();
            }
        }
        return Poll.ready(outcome());
    }

    @SuppressWarnings("unchecked")
    private T outcome() throws Exception {
        UnjoinedFailure u = unjoined;
        if (u != null) {
            u.observed = true;
        }
        Object o = outcome;
        if (o instanceof Failure f) {
            if (f == CANCELLED) {
                throw new CancellationException("task was cancelled");
            }
            if (f.cause() instanceof Exception e) {
                throw e;
            }
            if (f.cause() instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException(f.cause());
        }
        return (T) o;
    }

    @Override
    public final boolean isFinished() {
        return done;
    }

    @Override
    public final CompletableFuture<T> toCompletableFuture() {
        interested = true;
        CompletableFuture<T> s = stage;
        if (s == null) {
            CompletableFuture<T> fresh = new CompletableFuture<>();
            s = STAGE.compareAndSet(this, null, fresh) ? fresh : stage;
        }
        if (done) {
            settle(s);
        }
        return s;
    }

    private void settle(CompletableFuture<T> s) {
        try {
            s.complete(outcome());
        } catch (Throwable t) {
            s.completeExceptionally(t);
        }
    }

    @Override
    public final void cancel() {
        joinWaker = null;
    }
}
