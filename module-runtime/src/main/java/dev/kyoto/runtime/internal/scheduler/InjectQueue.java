package dev.kyoto.runtime.internal.scheduler;

import dev.kyoto.runtime.internal.task.Task;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The queue for tasks scheduled from outside the thread that runs them: an intrusive FIFO
 * through {@link Task#queueNext()}, so pushing allocates nothing.
 *
 * <p>{@code head}, {@code tail} and {@code closed} are guarded by {@code lock}; {@code length}
 * is written under the lock and read without it, so an empty queue is checked without locking.
 */
final class InjectQueue {
    private final ReentrantLock lock = new ReentrantLock();
    private Task<?> head;
    private Task<?> tail;
    private boolean closed;
    private volatile int length;

    /** Appends {@code task}; false if the queue is closed. */
    boolean push(Task<?> task) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            task.setQueueNext(null);
            if (tail == null) {
                head = task;
            } else {
                tail.setQueueNext(task);
            }
            tail = task;
            length++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Appends {@code count} tasks already linked from {@code first} to {@code last} through
     * {@link Task#queueNext()}, under one lock acquisition; false if the queue is closed (the
     * caller then still owns them).
     */
    boolean pushBatch(Task<?> first, Task<?> last, int count) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            last.setQueueNext(null);
            if (tail == null) {
                head = first;
            } else {
                tail.setQueueNext(first);
            }
            tail = last;
            length += count;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The number of queued tasks, read without locking. */
    int length() {
        return length;
    }

    /** Removes the oldest task, or returns null. */
    Task<?> pop() {
        if (length == 0) {
            return null;
        }
        lock.lock();
        try {
            Task<?> t = head;
            if (t != null) {
                head = t.queueNext();
                if (head == null) {
                    tail = null;
                }
                t.setQueueNext(null);
                length--;
            }
            return t;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes up to {@code max} of the oldest tasks into {@code into[0..)}, under one lock
     * acquisition; returns how many.
     */
    int popN(Task<?>[] into, int max) {
        if (length == 0 || max <= 0) {
            return 0;
        }
        lock.lock();
        try {
            int n = 0;
            while (n < max && head != null) {
                Task<?> t = head;
                head = t.queueNext();
                t.setQueueNext(null);
                into[n++] = t;
            }
            if (head == null) {
                tail = null;
            }
            length -= n;
            return n;
        } finally {
            lock.unlock();
        }
    }

    boolean isEmpty() {
        return length == 0;
    }

    /** Refuses further pushes; what is queued can still be popped. */
    void close() {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
    }
}
