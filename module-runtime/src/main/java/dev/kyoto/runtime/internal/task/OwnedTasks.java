package dev.kyoto.runtime.internal.task;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The live tasks of one runtime, so that shutdown can cancel every one of them.
 *
 * <p>An intrusive doubly linked list through {@link Task#ownedPrev}/{@link Task#ownedNext},
 * guarded by {@code lock}, as are {@code head}, {@code size} and {@code closed}. Once
 * {@code closed} is set no task is bound again, so after {@link #close()} returns, its result
 * holds every task the runtime will ever have to cancel.
 */
public final class OwnedTasks {
    private final ReentrantLock lock = new ReentrantLock();
    private Task<?> head;
    private int size;
    private boolean closed;

    /** Adds a new task; false if the runtime is shutting down and the task must not run. */
    public boolean bind(Task<?> task) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            task.ownedNext = head;
            if (head != null) {
                head.ownedPrev = task;
            }
            head = task;
            size++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Removes a completed task; a task that was never bound, or already removed, is ignored. */
    public void remove(Task<?> task) {
        lock.lock();
        try {
            if (task.ownedPrev == null && head != task) {
                return;
            }
            if (task.ownedPrev != null) {
                task.ownedPrev.ownedNext = task.ownedNext;
            } else {
                head = task.ownedNext;
            }
            if (task.ownedNext != null) {
                task.ownedNext.ownedPrev = task.ownedPrev;
            }
            task.ownedPrev = null;
            task.ownedNext = null;
            size--;
        } finally {
            lock.unlock();
        }
    }

    /** Refuses further binds and returns every live task. */
    public List<Task<?>> close() {
        lock.lock();
        try {
            closed = true;
            List<Task<?>> all = new ArrayList<>(size);
            for (Task<?> t = head; t != null; t = t.ownedNext) {
                all.add(t);
            }
            return all;
        } finally {
            lock.unlock();
        }
    }

    /** The number of live tasks. */
    public int size() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }
}
