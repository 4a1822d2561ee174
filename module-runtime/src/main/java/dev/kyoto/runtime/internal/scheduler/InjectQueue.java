package dev.kyoto.runtime.internal.scheduler;

import dev.kyoto.runtime.internal.task.Task;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The queue for tasks scheduled from outside the thread that runs them: an intrusive FIFO
 * through {@link Task#queueNext()}, so pushing allocates nothing, and pushing takes no lock.
 *
 * <p>Vyukov's intrusive multi-producer queue: a producer swings {@code tail} to its task by CAS,
 * then links the old tail to it. Several workers take from it, so takers are serialized by
 * {@code takers}, a lock no producer ever touches. A {@code stub} node lets a taker take the last
 * task (it appends the stub behind it first), and {@link #close()} appends {@code closedMark},
 * after which no push can land.
 *
 * <h2>State</h2>
 * <ul>
 *   <li>{@code tail}: volatile; the last node of the chain. Changed only by CAS: by producers
 *       (any thread) appending a task or a batch, by a taker appending {@code stub}, by
 *       {@code close} appending {@code closedMark}. Once it is {@code closedMark} it never
 *       changes.</li>
 *   <li>{@code head}: the first node of the chain: the oldest task, or {@code stub}, or
 *       {@code closedMark}. Read and written only under {@code takers}.</li>
 *   <li>A node's {@code queueNext}: null until its successor is appended; written once, with
 *       release, by the thread that appended the successor, right after its CAS; read with
 *       acquire by takers. A taker clears it (a popped task leaves no reference behind) once the
 *       successor is linked, when no one else can write it.</li>
 *   <li>{@code pushed}: bumped by producers after they append; {@code popped}: written by takers
 *       under {@code takers}. Only {@link #length()}, an estimate, reads them.</li>
 * </ul>
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>The chain from {@code head} along {@code queueNext} to {@code tail} holds every task
 *       pushed and not yet popped, in push order, and at most one {@code stub}; once closed it
 *       ends with {@code closedMark}.</li>
 *   <li>Before close, {@code tail == stub} exactly when no task is queued (a taker appends the
 *       stub only behind the last task, which it then returns), so {@link #isEmpty()} is one
 *       volatile read.</li>
 *   <li>A node other than {@code tail} whose {@code queueNext} is still null has a successor
 *       being linked: its appender is between its CAS and its link, a few instructions; a taker
 *       waits for the link rather than report an empty queue that is not.</li>
 *   <li>A push succeeds exactly when its CAS lands before the one of {@code close}: the task then
 *       precedes {@code closedMark} and is drained by shutdown; otherwise push returns false and
 *       the caller cancels the task, so no task is ever lost.</li>
 *   <li>ABA is harmless: a task popped and pushed again while a slow producer still holds it as
 *       the tail it read is the tail again when that producer's CAS succeeds, so the producer
 *       appends behind the right node; an append reads nothing else from the node.</li>
 * </ul>
 */
final class InjectQueue {
    private static final VarHandle TAIL;
    private static final VarHandle PUSHED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            TAIL = l.findVarHandle(InjectQueue.class, "tail", Task.class);
            PUSHED = l.findVarHandle(InjectQueue.class, "pushed", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Task<?> stub = marker();
    private final Task<?> closedMark = marker();
    private final ReentrantLock takers = new ReentrantLock();
    private volatile Task<?> tail = stub;
    private Task<?> head = stub;
    private volatile int pushed;
    private volatile int popped;

    /** A node that is never run: the stub and the closed marker. */
    private static Task<?> marker() {
        return new Task<>(null, null);
    }

    /** Appends {@code task}; false if the queue is closed. */
    boolean push(Task<?> task) {
        return append(task, task, 1);
    }

    /**
     * Appends {@code count} tasks already linked from {@code first} to {@code last} through
     * {@link Task#queueNext()}, in one CAS; false if the queue is closed (the caller then still
     * owns them).
     */
    boolean pushBatch(Task<?> first, Task<?> last, int count) {
        return append(first, last, count);
    }

    private boolean append(Task<?> first, Task<?> last, int count) {
        last.setQueueNext(null);
        for (;;) {
            Task<?> t = tail;
            if (t == closedMark) {
                return false;
            }
            if (TAIL.compareAndSet(this, t, last)) {
                t.setQueueNext(first);
                PUSHED.getAndAdd(this, count);
                return true;
            }
        }
    }

    /**
     * About how many tasks are queued: exact when no push or pop is under way, else possibly
     * off by the tasks of the operations in flight. For sizing batches, never for deciding
     * emptiness (see {@link #isEmpty()}).
     */
    int length() {
        int p = popped;
        return Math.max(0, pushed - p);
    }

    /** Removes the oldest task, or returns null if none is queued. */
    Task<?> pop() {
        if (tail == stub) {
            return null;
        }
        takers.lock();
        try {
            return take();
        } finally {
            takers.unlock();
        }
    }

    /**
     * Removes up to {@code max} of the oldest tasks into {@code into[0..)}, under one lock
     * acquisition; returns how many.
     */
    int popN(Task<?>[] into, int max) {
        if (max <= 0 || tail == stub) {
            return 0;
        }
        takers.lock();
        try {
            int n = 0;
            while (n < max) {
                Task<?> t = take();
                if (t == null) {
                    break;
                }
                into[n++] = t;
            }
            return n;
        } finally {
            takers.unlock();
        }
    }

    /** Takes the oldest task, or null; the caller holds {@code takers}. */
    private Task<?> take() {
        Task<?> h = head;
        if (h == stub) {
            Task<?> n = stub.queueNext();
            if (n == null) {
                if (tail == stub) {
                    return null;
                }
                n = awaitLink(stub);
            }
            if (n == closedMark) {
                return null;
            }
            stub.setQueueNext(null);
            head = n;
            h = n;
        }
        if (h == closedMark) {
            return null;
        }
        Task<?> n = h.queueNext();
        if (n == null) {
            // h is the last node: put the stub behind it so that h can go, unless a producer
            // (or close) appends behind h first.
            stub.setQueueNext(null);
            if (tail == h && TAIL.compareAndSet(this, h, stub)) {
                head = stub;
                popped = popped + 1;
                return h;
            }
            n = awaitLink(h);
        }
        head = n;
        h.setQueueNext(null);
        popped = popped + 1;
        return h;
    }

    /** The successor of {@code node}, which is not the tail: its appender is about to link it. */
    private static Task<?> awaitLink(Task<?> node) {
        Task<?> n;
        for (int spins = 0; (n = node.queueNext()) == null; spins++) {
            if (spins < 64) {
                Thread.onSpinWait();
            } else {
                // The appender was descheduled between its CAS and its link.
                Thread.yield();
            }
        }
        return n;
    }

    /** Whether no task is queued. */
    boolean isEmpty() {
        Task<?> t = tail;
        if (t == stub) {
            return true;
        }
        if (t != closedMark) {
            return false;
        }
        takers.lock();
        try {
            Task<?> h = head;
            if (h == stub) {
                h = stub.queueNext();
                if (h == null) {
                    h = awaitLink(stub);
                }
            }
            return h == closedMark;
        } finally {
            takers.unlock();
        }
    }

    /** Refuses further pushes; what is queued can still be popped. */
    void close() {
        closedMark.setQueueNext(null);
        for (;;) {
            Task<?> t = tail;
            if (t == closedMark) {
                return;
            }
            if (TAIL.compareAndSet(this, t, closedMark)) {
                t.setQueueNext(closedMark);
                return;
            }
        }
    }
}
