package dev.kyoto.runtime.internal.scheduler;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.internal.task.Task;
import dev.kyoto.runtime.internal.task.TaskScheduler;

/**
 * Tasks numbered 0 to n-1, made up front by one thread, for the queue model checks: a check
 * pushes {@code task(i)} and reports what it took out as numbers. Never run; the queues only move
 * them. The array is filled in the constructor and only read afterwards, so any thread may look up.
 *
 * <p>The number is found by scanning from a hint, not by hashing: under Lincheck every identity
 * hash code is the same constant (its runs must be deterministic), and a hash map built before a
 * run would not find its keys during it. Queues are FIFO, so "the one after the last" is almost
 * always right and a lookup costs one or two reads, which keeps the model checker's traces short.
 */
final class TaskPool {
    private static final TaskScheduler NOWHERE = new TaskScheduler() {
        @Override
        public void schedule(Task<?> task) {
        }

        @Override
        public void release(Task<?> task) {
        }
    };

    /** A named class rather than a lambda: Lincheck cannot read a lambda's hidden class without a warning. */
    private static final class Never implements Async<Void> {
        @Override
        public Poll<Void> poll(Context cx) {
            return Poll.pending();
        }
    }

    private final Task<?>[] tasks;

    TaskPool(int n) {
        tasks = new Task<?>[n];
        Async<Void> never = new Never();
        for (int i = 0; i < n; i++) {
            tasks[i] = new Task<>(never, NOWHERE);
        }
    }

    Task<?> task(int i) {
        return tasks[i];
    }

    /** The number of {@code t}, or null for null. */
    Integer id(Task<?> t) {
        return t == null ? null : id(t, 0);
    }

    /** The number of {@code t}, looking at number {@code hint} first. */
    int id(Task<?> t, int hint) {
        int n = tasks.length;
        for (int i = 0; i < n; i++) {
            int j = Math.floorMod(hint + i, n);
            if (tasks[j] == t) {
                return j;
            }
        }
        throw new AssertionError("a task that was never pushed came out of a queue: " + t);
    }
}
