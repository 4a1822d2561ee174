package dev.kyoto.runtime.internal.task;

import static dev.kyoto.runtime.sync.Loom.blockOn;
import static dev.kyoto.runtime.sync.Loom.fork;
import static dev.kyoto.runtime.sync.Loom.model;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.sync.Loom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Model checks of the task state machine ({@link Task}) and its join side ({@link JoinCell}), as
 * Tokio checks its task module with loom. A scheduler with one slot stands in for the run
 * queues: it fails the model if a task is queued while it is queued already, and a runner thread
 * runs what it finds there until the task finishes. The future under test fails the model if it
 * is polled by two threads at once, or cancelled after it returned ready. Every model ends with
 * every joiner back (a lost wake-up, of the task or of a joiner, is a deadlock Lincheck reports
 * with its interleaving).
 */
@Tag("lincheck")
class TaskLincheckTest {

    /** A run queue of one slot, and the thread that runs what is queued. */
    private static final class OneSlot implements TaskScheduler {
        final AtomicReference<Task<?>> queued = new AtomicReference<>();
        final AtomicInteger released = new AtomicInteger();
        volatile Thread runner;

        @Override
        public void schedule(Task<?> task) {
            if (!queued.compareAndSet(null, task)) {
                throw new AssertionError("a task was queued while it was queued already");
            }
            Thread r = runner;
            if (r != null) {
                LockSupport.unpark(r);
            }
        }

        @Override
        public void release(Task<?> task) {
            released.incrementAndGet();
        }

        /** Runs what is queued until {@code task} has finished; the caller is the runner. */
        void runUntilFinished(Task<?> task) {
            runner = Thread.currentThread();
            while (!task.isFinished()) {
                Task<?> t = queued.getAndSet(null);
                if (t != null) {
                    t.run();
                } else {
                    LockSupport.park(this);
                }
            }
        }

        /** Wakes the runner, for a finish that scheduled nothing (shutdown's inline cancel). */
        void nudge() {
            Thread r = runner;
            if (r != null) {
                LockSupport.unpark(r);
            }
        }
    }

    /** A future that is ready once {@code ready} is set, and checks how it is polled and cancelled. */
    private static final class Gate implements Async<Integer> {
        final AtomicInteger inPoll = new AtomicInteger();
        final AtomicInteger polls = new AtomicInteger();
        final AtomicInteger cancels = new AtomicInteger();
        volatile boolean ready;
        volatile boolean returnedReady;

        @Override
        public Poll<Integer> poll(Context cx) {
            if (inPoll.getAndIncrement() != 0) {
                throw new AssertionError("the future was polled by two threads at once");
            }
            try {
                polls.incrementAndGet();
                if (cancels.get() != 0) {
                    throw new AssertionError("the future was polled after its cancel()");
                }
                if (ready) {
                    returnedReady = true;
                    return Poll.ready(7);
                }
                return Poll.pending();
            } finally {
                inPoll.decrementAndGet();
            }
        }

        @Override
        public void cancel() {
            if (returnedReady) {
                throw new AssertionError("cancel() after the future returned ready");
            }
            cancels.incrementAndGet();
        }

        /** Lets the next poll finish, and wakes the task as whatever it waits on would. */
        void open(Task<?> task) {
            ready = true;
            task.wake();
        }
    }

    /** What a joiner got: the value, or -1 for cancellation. */
    private static int join(Async<Integer> handle) throws Exception {
        try {
            return blockOn(handle);
        } catch (CancellationException e) {
            return -1;
        }
    }

    /** Two wakes race the task's own poll: it is queued once at a time and never polled twice at once, and finishes. */
    @Test
    void wakesRacingAPollQueueTheTaskOnceAndAreNeverLost() {
        model(300, () -> {
            OneSlot slot = new OneSlot();
            Gate gate = new Gate();
            Task<Integer> task = new Task<>(gate, slot);
            task.wake();
            Loom.Forked opener = fork(() -> gate.open(task));
            Loom.Forked waker = fork(task::wake);
            slot.runUntilFinished(task);
            opener.join();
            waker.join();
            assertEquals(7, join(task));
            assertEquals(1, slot.released.get(), "a finished task is released exactly once");
        });
    }

    /** Several joiners, one of which detaches, race the completion: every joiner still waiting gets the value. */
    @Test
    void everyJoinerIsWokenWhenTheTaskCompletes() {
        model(300, () -> {
            OneSlot slot = new OneSlot();
            Gate gate = new Gate();
            Task<Integer> task = new Task<>(gate, slot);
            task.wake();
            Loom.Forked first = fork(() -> assertEquals(7, join(task)));
            Loom.Forked second = fork(() -> assertEquals(7, join(task)));
            Loom.Forked detacher = fork(() -> {
                task.poll(new Context(new Loom.ParkingWaker()));
                task.cancel();
            });
            Loom.Forked opener = fork(() -> gate.open(task));
            slot.runUntilFinished(task);
            first.join();
            second.join();
            detacher.join();
            opener.join();
        });
    }

    /** The bridge to {@link CompletableFuture} races the completion: it settles with the value. */
    @Test
    void theBridgeSettlesWhicheverWayItRacesTheCompletion() {
        model(200, () -> {
            OneSlot slot = new OneSlot();
            Gate gate = new Gate();
            Task<Integer> task = new Task<>(gate, slot);
            task.wake();
            AtomicReference<CompletableFuture<Integer>> bridge = new AtomicReference<>();
            Loom.Forked asker = fork(() -> bridge.set(task.toCompletableFuture()));
            Loom.Forked opener = fork(() -> gate.open(task));
            slot.runUntilFinished(task);
            asker.join();
            opener.join();
            assertEquals(7, bridge.get().get());
        });
    }

    /**
     * An abort races the completion: the joiners all see the same outcome; the future is cancelled
     * exactly once if and only if the outcome is cancellation, and never after it returned ready.
     */
    @Test
    void anAbortRacingTheCompletionCancelsOnceOrNotAtAll() {
        model(300, () -> {
            OneSlot slot = new OneSlot();
            Gate gate = new Gate();
            Task<Integer> task = new Task<>(gate, slot);
            task.wake();
            AtomicInteger seen = new AtomicInteger();
            Loom.Forked joiner = fork(() -> seen.set(join(task)));
            Loom.Forked aborter = fork(task::abort);
            Loom.Forked opener = fork(() -> gate.open(task));
            slot.runUntilFinished(task);
            joiner.join();
            aborter.join();
            opener.join();
            int outcome = join(task);
            assertEquals(outcome, seen.get(), "two joiners saw different outcomes");
            assertEquals(outcome == -1 ? 1 : 0, gate.cancels.get());
        });
    }

    /**
     * Shutdown (which cancels an idle task on its own thread) races a wake and the runner: the
     * task is cancelled exactly once, by one thread, and its joiner is woken.
     */
    @Test
    void shutdownRacingAWakeCancelsTheTaskOnce() {
        model(300, () -> {
            OneSlot slot = new OneSlot();
            Gate gate = new Gate();
            Task<Integer> task = new Task<>(gate, slot);
            task.wake();
            Loom.Forked joiner = fork(() -> assertEquals(-1, join(task)));
            Loom.Forked shutter = fork(() -> {
                task.shutdown();
                slot.nudge();
            });
            Loom.Forked waker = fork(task::wake);
            slot.runUntilFinished(task);
            joiner.join();
            shutter.join();
            waker.join();
            assertEquals(1, gate.cancels.get());
            assertEquals(1, slot.released.get(), "a finished task is released exactly once");
        });
    }

    /** A blocking task's run, abort and rejection race: exactly one of them publishes, and the joiner sees it. */
    @Test
    void aBlockingTaskIsSettledByExactlyOneOfRunAbortAndReject() {
        model(300, () -> {
            AtomicInteger ran = new AtomicInteger();
            BlockingTask<Integer> task = new BlockingTask<>(() -> {
                ran.incrementAndGet();
                return 7;
            });
            Loom.Forked runner = fork(task::run);
            Loom.Forked aborter = fork(task::abort);
            Loom.Forked rejecter = fork(() -> task.reject(new IllegalStateException("no thread")));
            int seen;
            try {
                seen = join(task);
            } catch (IllegalStateException e) {
                seen = -2;
            }
            runner.join();
            aborter.join();
            rejecter.join();
            assertEquals(seen == 7 ? 1 : 0, ran.get(), "the work ran although another outcome was published, or the reverse");
            CompletableFuture<Integer> bridge = task.toCompletableFuture();
            assertTrue(bridge.isDone());
            int bridged;
            try {
                bridged = bridge.get();
            } catch (CancellationException e) {
                bridged = -1;
            } catch (ExecutionException e) {
                bridged = -2;
            }
            assertEquals(seen, bridged, "the bridge and the joiner saw different outcomes");
        });
    }
}
