package dev.kyoto.runtime.internal.task;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The tasks of one runtime that may be idle (their poll has once returned pending), so that
 * shutdown can cancel every one of them; queued and running tasks it reaches otherwise (see
 * {@code Scheduler}). A task that completes in its first poll never comes here.
 *
 * <p>Sharded, so that workers listing and completing tasks at once rarely meet on a lock: a
 * task joins the shard of the thread that runs it when it first goes idle
 * ({@link Task#ownedShard}, written under the shard's lock, read by whoever holds the task's
 * {@code RUNNING} state), and each shard is
 * an intrusive doubly linked list through {@link Task#ownedPrev}/{@link Task#ownedNext}, guarded
 * by its own lock, as are its {@code head}, {@code size} and {@code closed}. Once a shard is
 * closed nothing is bound to it again; {@link #close()} closes every shard before it returns, so
 * its result holds every task the runtime will ever have to cancel.
 */
public final class OwnedTasks {
    private static final int SHARDS = 32;

    private static final class Shard {
        final ReentrantLock lock = new ReentrantLock();
        Task<?> head;
        int size;
        boolean closed;
    }

    private final Shard[] shards = new Shard[SHARDS];

    public OwnedTasks() {
        for (int i = 0; i < SHARDS; i++) {
            shards[i] = new Shard();
        }
    }

    /** Lists a task that is going idle; false if the runtime is shutting down and the task must be cancelled. */
    public boolean bind(Task<?> task) {
        int index = (int) (Thread.currentThread().threadId() & (SHARDS - 1));
        Shard shard = shards[index];
        shard.lock.lock();
        try {
            if (shard.closed) {
                return false;
            }
            task.ownedShard = index;
            task.ownedNext = shard.head;
            if (shard.head != null) {
                shard.head.ownedPrev = task;
            }
            shard.head = task;
            shard.size++;
            return true;
        } finally {
            shard.lock.unlock();
        }
    }

    /** Removes a completed task; a task that was never bound, or already removed, is ignored. */
    public void remove(Task<?> task) {
        int index = task.ownedShard;
        if (index < 0) {
            return;
        }
        Shard shard = shards[index];
        shard.lock.lock();
        try {
            if (task.ownedPrev == null && shard.head != task) {
                return;
            }
            if (task.ownedPrev != null) {
                task.ownedPrev.ownedNext = task.ownedNext;
            } else {
                shard.head = task.ownedNext;
            }
            if (task.ownedNext != null) {
                task.ownedNext.ownedPrev = task.ownedPrev;
            }
            task.ownedPrev = null;
            task.ownedNext = null;
            shard.size--;
        } finally {
            shard.lock.unlock();
        }
    }

    /** Refuses further binds and returns every live task. */
    public List<Task<?>> close() {
        List<Task<?>> all = new ArrayList<>();
        for (Shard shard : shards) {
            shard.lock.lock();
            try {
                shard.closed = true;
                for (Task<?> t = shard.head; t != null; t = t.ownedNext) {
                    all.add(t);
                }
            } finally {
                shard.lock.unlock();
            }
        }
        return all;
    }

    /** The number of live tasks. */
    public int size() {
        int n = 0;
        for (Shard shard : shards) {
            shard.lock.lock();
            try {
                n += shard.size;
            } finally {
                shard.lock.unlock();
            }
        }
        return n;
    }
}
