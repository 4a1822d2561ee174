package dev.kyoto.test;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.Waker;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assertions;

/**
 * Polls one {@link Async} by hand, with no runtime, and records how its waker is used: the Java
 * counterpart of {@code tokio_test::task::spawn}.
 *
 * <pre>{@code
 * CompletableFuture<Integer> stage = new CompletableFuture<>();
 * TaskHarness<Integer> task = TaskHarness.of(Async.fromCompletionStage(stage));
 * task.assertPending();
 * stage.complete(7);             // the computation must now wake its waker
 * assertTrue(task.isWoken());
 * assertEquals(7, task.assertReady());
 * }</pre>
 *
 * <p>The harness holds a single {@link Context} whose waker counts its wakes and passes that same
 * context to every poll, as a Kyoto task does, so a computation that compares or stores the waker
 * sees what it would see inside a runtime. The computation is polled on the calling thread; a
 * computation that needs a runtime on that thread (spawning, registering I/O) must be polled inside
 * one, for example from a task or from {@code KyotoRuntime.blockOn}.
 *
 * <p>The harness enforces the {@link Async} contract on its caller: it refuses to poll a
 * computation that has finished (returned ready or thrown) or was cancelled, and it forwards
 * {@link #cancel()} at most once and never after the computation finished.
 *
 * <h2>Thread safety</h2>
 * The waker, {@link #wakeCount()} and {@link #isWoken()} are safe to use from any thread at any
 * time, concurrently with a poll: wakes are counted with atomics, so a wake from another thread is
 * never lost and is visible to the polling thread once that wake has returned. {@link #poll()} and
 * {@link #cancel()} may be called from any thread but not at the same time: a computation is polled
 * by one thread at a time, so a poll or cancel that overlaps a poll in progress throws
 * {@link IllegalStateException} instead of racing the computation. Two overlapping
 * {@code cancel()} calls are safe; exactly one of them forwards.
 *
 * @param <T> the type of the value the computation completes with
 */
public final class TaskHarness<T> {
    private static final int IDLE = 0;
    private static final int POLLING = 1;
    private static final int FINISHED = 2;
    private static final int CANCELLED = 3;

    private final Async<T> async;
    private final AtomicLong wakes = new AtomicLong();
    private final AtomicBoolean woken = new AtomicBoolean();
    // One state word, so that "cancel at most once" and "never poll after the end" hold even when
    // a test cancels from another thread (a timeout, a racing task) than the one that polls.
    private final AtomicInteger state = new AtomicInteger(IDLE);
    private final Context cx;

    private TaskHarness(Async<T> async) {
        this.async = Objects.requireNonNull(async, "async");
        Waker waker = () -> {
            wakes.incrementAndGet();
            woken.set(true);
        };
        this.cx = new Context(waker);
    }

    /**
     * Wraps {@code async} for polling by hand. Nothing is polled yet.
     *
     * @param async the computation under test; never null
     * @param <T> the type of its value
     * @return a harness whose waker has not been woken
     */
    public static <T> TaskHarness<T> of(Async<T> async) {
        return new TaskHarness<>(async);
    }

    /**
     * Polls the computation once on the calling thread. Clears {@link #isWoken()} before the poll,
     * so a wake that happens during the poll (a computation that yields) counts as a wake since it.
     *
     * @return the poll's result
     * @throws Exception the computation's failure, unchanged; the computation is then finished
     * @throws IllegalStateException if the computation has finished, was cancelled, or is being
     *     polled already (on another thread, or re-entrantly from its own poll)
     */
    public Poll<T> poll() throws Exception {
        if (!state.compareAndSet(IDLE, POLLING)) {
            throw new IllegalStateException("cannot poll: the computation " + describe(state.get()));
        }
        woken.set(false);
        boolean finished = true;
        try {
            Poll<T> result = async.poll(cx);
            finished = result.isReady();
            return result;
        } finally {
            state.set(finished ? FINISHED : IDLE);
        }
    }

    /**
     * Polls once and asserts that the computation is still pending.
     *
     * @throws AssertionError if the computation returned ready, naming its value
     * @throws Exception the computation's failure, unchanged
     * @throws IllegalStateException as for {@link #poll()}
     */
    public void assertPending() throws Exception {
        Poll<T> result = poll();
        if (result.isReady()) {
            Assertions.fail("expected the computation to be pending, but it was ready with " + result.value());
        }
    }

    /**
     * Polls once and asserts that the computation is ready.
     *
     * @return the computation's value, which may be null
     * @throws AssertionError if the computation is still pending
     * @throws Exception the computation's failure, unchanged
     * @throws IllegalStateException as for {@link #poll()}
     */
    public T assertReady() throws Exception {
        Poll<T> result = poll();
        if (result.isPending()) {
            Assertions.fail("expected the computation to be ready, but it was pending (woken " + wakeCount() + " times so far)");
        }
        return result.value();
    }

    /**
     * Abandons the computation by calling its {@link Async#cancel()}, as a runtime does when a
     * task is aborted. Forwards at most once over the harness's life, and not at all once the
     * computation has finished, because {@code Async} promises its implementations exactly that.
     *
     * @return true if this call forwarded the cancellation; false if the computation had already
     *     finished or been cancelled
     * @throws IllegalStateException if the computation is being polled at this moment
     */
    public boolean cancel() {
        int s = state.compareAndExchange(IDLE, CANCELLED);
        if (s == POLLING) {
            throw new IllegalStateException("cannot cancel: the computation " + describe(s));
        }
        if (s != IDLE) {
            return false;
        }
        async.cancel();
        return true;
    }

    /** {@return whether {@link #cancel()} has forwarded a cancellation to the computation} */
    public boolean isCancelled() {
        return state.get() == CANCELLED;
    }

    /** {@return whether the computation has returned ready or thrown} */
    public boolean isFinished() {
        return state.get() == FINISHED;
    }

    /** {@return how many times the waker has been woken since the harness was created} Wakes are never coalesced. */
    public long wakeCount() {
        return wakes.get();
    }

    /** {@return whether the waker has been woken since the start of the latest poll} Before the first poll: since creation. */
    public boolean isWoken() {
        return woken.get();
    }

    @Override
    public String toString() {
        return "TaskHarness[" + async + ", " + describe(state.get()) + ", wakes=" + wakes.get() + "]";
    }

    private static String describe(int s) {
        return switch (s) {
            case IDLE -> "is pending";
            case POLLING -> "is being polled right now";
            case FINISHED -> "has already finished";
            default -> "was cancelled";
        };
    }
}
