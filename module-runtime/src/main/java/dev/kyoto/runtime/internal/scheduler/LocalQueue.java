package dev.kyoto.runtime.internal.scheduler;

import dev.kyoto.runtime.internal.task.Task;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A multi-thread worker's local run queue: a fixed ring of {@value #CAPACITY} slots that one
 * thread, the owner, pushes to and pops from (FIFO), and from which other workers steal half
 * when they run dry. It is Tokio's {@code queue::Local}/{@code queue::Steal} pair.
 *
 * <h2>State</h2>
 * Positions are unbounded 32-bit counters that wrap; slot {@code p & MASK} holds position
 * {@code p}. Every distance between two positions is a wrapping {@code int} subtraction, which
 * is exact as long as the true distance is below 2<sup>31</sup> (it is at most {@value #CAPACITY}).
 * <ul>
 *   <li>{@code tail}: the position the owner writes next. Written only by the owner, with a
 *       release store after the slots it publishes; read by thieves with an acquire load, and by
 *       the owner with plain reads (it is the only writer).</li>
 *   <li>{@code head}: one 64-bit word {@code (steal << 32) | real}, changed only by CAS.
 *       {@code real} is the next position to pop or steal. {@code steal} equals {@code real}
 *       when no steal is in progress; otherwise {@code [steal, real)} is the range one thief has
 *       claimed and is still copying out. Both indices live in one word so that the owner's pop,
 *       the owner's overflow and a thief's claim are decided by a single CAS.</li>
 *   <li>{@code slots}: plain array elements. A slot of queue Q is written with a task only by
 *       Q's owner (a thief writes into the queue it owns, never into its victim); it is nulled by
 *       whoever removed its task (the owner in pop/overflow, the thief in a steal), so the ring
 *       never keeps a finished task reachable. Nulling is race-free for the same reason reading
 *       is: the remover's CAS gave it that position exclusively.</li>
 *   <li>{@code overflows}, {@code stealOperations}, {@code stolenTasks}: single-writer counters
 *       (the owner; for the steal counters the thief, which owns the destination queue), stored
 *       and read opaquely so that any thread may read them without tearing.</li>
 * </ul>
 * Invariants:
 * <ul>
 *   <li>{@code real - steal >= 0}, {@code tail - real >= 0} and {@code tail - steal <= CAPACITY}:
 *       the owner never writes a slot a thief may still be copying from, because a push needs
 *       {@code tail - steal < CAPACITY}, measured from {@code steal}, not {@code real}.</li>
 *   <li>{@code steal != real} means a steal is in progress; only the thief that set it may make
 *       them equal again. Other thieves back off; the owner may still pop (advancing
 *       {@code real} only) but does not overflow.</li>
 *   <li>A position in {@code [real, tail)} belongs to the queue; whoever moves {@code real}
 *       past it by a successful CAS owns the task in it exclusively, so nobody else reads that
 *       slot until the owner writes it again for position + {@value #CAPACITY}.</li>
 * </ul>
 *
 * <h2>Memory ordering</h2>
 * The owner writes a slot with a plain store and then {@code setRelease(tail)}; a thief loads
 * {@code tail} with acquire before it claims, so every slot it may claim was written before the
 * release it read, and its plain slot reads are not racy. In the other direction, a thief
 * finishes with a CAS on {@code head} (volatile strength) after its plain reads (and nulling) of
 * the claimed slots, and the owner only reuses those slots after it has read a {@code head} whose
 * {@code steal} moved past them (acquire load, or the CAS of pop/overflow); that orders the
 * thief's accesses before the owner's next write. Slots therefore need no VarHandle modes.
 *
 * <p>Owner-only means one thread at a time: if the queue changes hands (a worker core handed to
 * another thread), the hand-over itself must be a synchronising action.
 */
final class LocalQueue {
    /** Slots in the ring: Tokio's {@code LOCAL_QUEUE_CAPACITY}. */
    static final int CAPACITY = 256;
    private static final int MASK = CAPACITY - 1;
    /** Tasks the overflow moves to the inject queue besides the one being pushed; also the steal limit. */
    private static final int HALF = CAPACITY / 2;

    private static final VarHandle HEAD;
    private static final VarHandle TAIL;
    private static final VarHandle OVERFLOWS;
    private static final VarHandle STEAL_OPERATIONS;
    private static final VarHandle STOLEN_TASKS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(LocalQueue.class, "head", long.class);
            TAIL = l.findVarHandle(LocalQueue.class, "tail", int.class);
            OVERFLOWS = l.findVarHandle(LocalQueue.class, "overflows", long.class);
            STEAL_OPERATIONS = l.findVarHandle(LocalQueue.class, "stealOperations", long.class);
            STOLEN_TASKS = l.findVarHandle(LocalQueue.class, "stolenTasks", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Task<?>[] slots = new Task<?>[CAPACITY];
    @SuppressWarnings("unused") // accessed through HEAD
    private long head;
    private int tail;
    private long overflows;
    private long stealOperations;
    private long stolenTasks;

    LocalQueue() {
        this(0);
    }

    /**
     * Starts every index at {@code initialIndex} instead of 0. Only tests need this: it lets them
     * cross the 2<sup>32</sup> wrap of the indices without pushing four billion tasks.
     */
    LocalQueue(int initialIndex) {
        head = pack(initialIndex, initialIndex);
        tail = initialIndex;
    }

    private static long pack(int steal, int real) {
        return ((long) steal << 32) | (real & 0xFFFF_FFFFL);
    }

    private static int steal(long head) {
        return (int) (head >>> 32);
    }

    private static int real(long head) {
        return (int) head;
    }

    /**
     * Owner only. Pushes {@code task} to the tail. When the ring is full, the newer half of it
     * and {@code task} go to {@code inject} as one linked batch (one lock acquisition), and the
     * older half stays here: tasks a worker just pulled from the inject queue sit in the older
     * half, so they cannot bounce straight back. If the ring is full only because a thief is
     * still copying out of it, just {@code task} goes to {@code inject}: the steal is about to
     * free room, and the range it claimed cannot be overflowed anyway.
     *
     * <p>If {@code inject} is closed, the runtime is shutting down and nobody will drain it: what
     * would have gone there is cancelled here, so no join waits forever.
     */
    void pushBackOrOverflow(Task<?> task, InjectQueue inject) {
        for (;;) {
            long h = (long) HEAD.getAcquire(this);
            int steal = steal(h);
            int real = real(h);
            int t = tail;
            if (t - steal < CAPACITY) {
                slots[t & MASK] = task;
                TAIL.setRelease(this, t + 1);
                return;
            }
            if (steal != real) {
                if (!inject.push(task)) {
                    Scheduler.cancelNow(task);
                }
                return;
            }
            if (pushOverflow(task, real, t, inject)) {
                return;
            }
            // A thief claimed tasks between our load and our CAS; there may be room now.
        }
    }

    /**
     * Moves positions {@code [head + HALF, head + CAPACITY)} and {@code task} to {@code inject};
     * false, with nothing changed, if a thief moved {@code head} first.
     *
     * <p>The CAS claims every queued position at once ({@code head} jumps to {@code tail}), and
     * {@code tail} then advances by {@code HALF}: positions {@code [tail, tail + HALF)} map to the
     * very slots that hold the older half, so those tasks are queued again, in order, without
     * being copied. Until the release of the new {@code tail} the queue looks empty to thieves,
     * which costs them at most a failed attempt.
     */
    private boolean pushOverflow(Task<?> task, int head, int tail, InjectQueue inject) {
        if (tail - head != CAPACITY) {
            throw new IllegalStateException("queue is not full; tail = " + tail + "; head = " + head);
        }
        if (!HEAD.compareAndSet(this, pack(head, head), pack(tail, tail))) {
            return false;
        }
        // The CAS made us the sole owner of every slot, so they are read, nulled and linked freely.
        Task<?> first = null;
        Task<?> last = null;
        for (int i = HALF; i < CAPACITY; i++) {
            int idx = (head + i) & MASK;
            Task<?> t = slots[idx];
            slots[idx] = null;
            if (last == null) {
                first = t;
            } else {
                last.setQueueNext(t);
            }
            last = t;
        }
        last.setQueueNext(task);
        task.setQueueNext(null);
        TAIL.setRelease(this, tail + HALF);
        OVERFLOWS.setOpaque(this, overflows + 1);
        if (!inject.pushBatch(first, task, HALF + 1)) {
            for (Task<?> t = first; t != null; ) {
                Task<?> next = t.queueNext();
                t.setQueueNext(null);
                Scheduler.cancelNow(t);
                t = next;
            }
        }
        return true;
    }


    /**
     * Owner only. Pushes {@code tasks[from, from + count)} to the tail, in order; used for a batch
     * pulled from the inject queue. The caller guarantees room ({@code count <= remainingSlots()}).
     *
     * @throws IllegalStateException if there is not room for all of them; nothing is pushed then
     */
    void pushBack(Task<?>[] tasks, int from, int count) {
        if (count == 0) {
            return;
        }
        int steal = steal((long) HEAD.getAcquire(this));
        int t = tail;
        if (count < 0 || count > CAPACITY - (t - steal)) {
            throw new IllegalStateException("no room for " + count + " tasks; " + (CAPACITY - (t - steal)) + " free");
        }
        for (int i = 0; i < count; i++) {
            slots[(t + i) & MASK] = tasks[from + i];
        }
        TAIL.setRelease(this, t + count);
    }

    /** Owner only. Removes and returns the oldest task, or null if there is none. */
    Task<?> pop() {
        long h = (long) HEAD.getAcquire(this);
        for (;;) {
            int steal = steal(h);
            int real = real(h);
            if (real == tail) {
                return null;
            }
            int nextReal = real + 1;
            // During a steal only real moves: steal stays where that thief started, for it to finish.
            long next = steal == real ? pack(nextReal, nextReal) : pack(steal, nextReal);
            long witness = (long) HEAD.compareAndExchange(this, h, next);
            if (witness == h) {
                int idx = real & MASK;
                Task<?> task = slots[idx];
                // Safe to null: a thief only touches slots it claimed, and position real was ours.
                slots[idx] = null;
                return task;
            }
            h = witness;
        }
    }

    /**
     * Called by a thief, the owner of {@code dst}, on its victim {@code this}: moves the older
     * half of this queue's tasks, rounded up, to {@code dst}. The last task moved is returned to
     * the caller to run instead of being placed in {@code dst}; the others are queued in
     * {@code dst} in order.
     *
     * <p>The steal is two CASes on {@code head}: the first claims {@code [real, real + n)} by
     * advancing {@code real} alone, which shuts out other thieves and the owner's overflow while
     * the owner can still pop past the claimed range; the second, after the copy, sets
     * {@code steal} to {@code real}. Publishing the copies in {@code dst} is a release of
     * {@code dst.tail}, as for any push.
     *
     * @return the task to run, or null if nothing was stolen: this queue is empty, another
     *     steal from it is in progress, or {@code dst} already holds more than half its capacity
     */
    Task<?> stealInto(LocalQueue dst) {
        if (dst == this) {
            throw new IllegalArgumentException("a queue cannot steal from itself");
        }
        int dstTail = dst.tail;
        // A thief of dst may still be copying out of dst: its range still counts as occupied.
        int dstSteal = steal((long) HEAD.getAcquire(dst));
        if (dstTail - dstSteal > HALF) {
            return null;
        }

        long prev = (long) HEAD.getAcquire(this);
        long claimed;
        int n;
        for (;;) {
            int steal = steal(prev);
            int real = real(prev);
            // Loaded after head: tail only grows, so the difference is never negative.
            int srcTail = (int) TAIL.getAcquire(this);
            if (steal != real) {
                return null;
            }
            int available = srcTail - real;
            n = available - available / 2;
            if (n == 0) {
                return null;
            }
            claimed = pack(real, real + n);
            long witness = (long) HEAD.compareAndExchange(this, prev, claimed);
            if (witness == prev) {
                break;
            }
            prev = witness;
        }
        // available was read against the head we replaced, so the queue held at most CAPACITY.
        if (n > HALF) {
            throw new IllegalStateException("stole " + n + " tasks, more than half the queue");
        }

        int first = steal(claimed);
        Task<?>[] src = slots;
        Task<?>[] to = dst.slots;
        for (int i = 0; i < n - 1; i++) {
            int idx = (first + i) & MASK;
            to[(dstTail + i) & MASK] = src[idx];
            src[idx] = null;
        }
        int lastIdx = (first + n - 1) & MASK;
        Task<?> last = src[lastIdx];
        src[lastIdx] = null;

        // Hand the range back. Only the owner's pop can have moved head meanwhile (real only).
        long current = claimed;
        for (;;) {
            int real = real(current);
            long witness = (long) HEAD.compareAndExchange(this, current, pack(real, real));
            if (witness == current) {
                break;
            }
            if (steal(witness) != first || real(witness) == first) {
                throw new IllegalStateException("steal in progress was disturbed: head = " + Long.toHexString(witness));
            }
            current = witness;
        }

        STEAL_OPERATIONS.setOpaque(dst, dst.stealOperations + 1);
        STOLEN_TASKS.setOpaque(dst, dst.stolenTasks + n);
        if (n > 1) {
            TAIL.setRelease(dst, dstTail + n - 1);
        }
        return last;
    }

    /**
     * The number of queued tasks, for any thread. Not a snapshot: head and tail are read one
     * after the other, so the value is approximate, and clamped to {@code [0, CAPACITY]} (an
     * overflow moves head and tail in two steps).
     */
    int len() {
        int real = real((long) HEAD.getAcquire(this));
        int t = (int) TAIL.getAcquire(this);
        int n = t - real;
        return n < 0 ? 0 : Math.min(n, CAPACITY);
    }

    /** Whether there is nothing to pop or steal; approximate like {@link #len()}. */
    boolean isEmpty() {
        return len() == 0;
    }

    /** Owner only: free slots, counting those a thief is still copying out of as occupied. */
    int remainingSlots() {
        int steal = steal((long) HEAD.getAcquire(this));
        return CAPACITY - (tail - steal);
    }

    /** How many times a full queue moved half of itself to the inject queue (Tokio's overflow count). */
    long overflowCount() {
        return (long) OVERFLOWS.getOpaque(this);
    }

    /** Successful steals into this queue (by its owner, from other queues). */
    long stealOperations() {
        return (long) STEAL_OPERATIONS.getOpaque(this);
    }

    /** Tasks stolen into this queue, including the ones returned directly to run. */
    long stolenTasks() {
        return (long) STOLEN_TASKS.getOpaque(this);
    }
}
