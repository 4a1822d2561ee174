package dev.kyoto.runtime.internal.task;

import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.ThrowingSupplier;
import dev.kyoto.runtime.internal.scheduler.SchedulerHandle;
import dev.kyoto.runtime.internal.thread.Joins;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The virtual tasks of one runtime that are alive, so that shutdown can abort every one of them
 * and wait for them to end.
 *
 * <p>{@code live} holds each task from before its thread starts until its body has ended and its
 * outcome is published. {@code closed} is set once by {@link #abortAll()}, before it reads
 * {@code live}; a spawn adds its task to {@code live} before it reads {@code closed}. Both are
 * volatile accesses (the set is concurrent), so a spawn racing a shutdown is seen by one of them:
 * the shutdown finds the task in the set and aborts it, or the spawn sees {@code closed} and
 * aborts its own task before starting it.
 */
public final class VirtualTasks {
    private final Set<VirtualTask<?>> live = ConcurrentHashMap.newKeySet();
    private final SchedulerHandle runtime;
    private final UnhandledFailures unhandled;
    private volatile boolean closed;

    public VirtualTasks(SchedulerHandle runtime, UnhandledFailures unhandled) {
        this.runtime = runtime;
        this.unhandled = unhandled;
    }

    /**
     * Starts {@code body} on a new virtual thread named {@code name} (null: unnamed). After
     * shutdown the body never runs and the handle reports cancellation.
     */
    public <T> JoinHandle<T> spawn(String name, ThrowingSupplier<T> body) {
        VirtualTask<T> task = new VirtualTask<>(name, body, runtime, unhandled, this);
        live.add(task);
        if (closed) {
            // The thread still runs, to publish the cancellation and leave the set.
            task.abort();
        }
        task.thread().start();
        return task;
    }

    void remove(VirtualTask<?> task) {
        live.remove(task);
    }

    /** Refuses further bodies and aborts every live task. */
    public void abortAll() {
        closed = true;
        for (VirtualTask<?> t : live) {
            t.abort();
        }
    }

    /**
     * Waits for every live task to end, at most until {@code deadline} ({@link System#nanoTime()}
     * scale; negative {@code timeoutNanos}: without limit). The calling thread's own task, if it
     * is one, is not waited for: a body that closes its runtime ends after the close returns.
     *
     * @return how many of them were still running when the deadline passed
     */
    public int awaitAll(long timeoutNanos, long deadline) {
        Thread me = Thread.currentThread();
        int running = 0;
        for (VirtualTask<?> t : live) {
            if (t.thread() != me && !Joins.joinUninterruptibly(t.thread(), timeoutNanos, deadline)) {
                running++;
            }
        }
        return running;
    }

    /** The live tasks, for tests. */
    public int size() {
        return live.size();
    }
}
