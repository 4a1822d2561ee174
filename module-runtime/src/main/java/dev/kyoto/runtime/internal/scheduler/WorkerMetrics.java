package dev.kyoto.runtime.internal.scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The counters of one worker (a multi-thread runtime's worker, or the core of a current-thread
 * runtime) that its queue does not keep itself: task polls, parks and busy time.
 *
 * <p>Single writer: only the thread running as the worker writes, with opaque stores of values
 * it computed from its own previous writes, so counting costs a plain add and a store with no
 * fence; any thread reads with opaque loads, which never tear a {@code long}. {@code busySince}
 * is the {@link System#nanoTime()} at which the worker last left a park, or {@link #PARKED}
 * while it is parked; {@code busyNanos} sums the busy stretches that ended. A reader adds the
 * stretch in progress, so busy time keeps growing while a worker never parks. The two fields are
 * stored one after the other when a stretch ends ({@code busySince} first, then the sum with
 * release, which a reader loads first with acquire): a read between the two stores misses that
 * stretch for a moment, and no read counts it twice.
 */
final class WorkerMetrics {
    static final long PARKED = Long.MIN_VALUE;
    private static final VarHandle POLLS;
    private static final VarHandle PARKS;
    private static final VarHandle BUSY_NANOS;
    private static final VarHandle BUSY_SINCE;
    private static final VarHandle QUEUE_DEPTH;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            POLLS = l.findVarHandle(WorkerMetrics.class, "polls", long.class);
            PARKS = l.findVarHandle(WorkerMetrics.class, "parks", long.class);
            BUSY_NANOS = l.findVarHandle(WorkerMetrics.class, "busyNanos", long.class);
            BUSY_SINCE = l.findVarHandle(WorkerMetrics.class, "busySince", long.class);
            QUEUE_DEPTH = l.findVarHandle(WorkerMetrics.class, "queueDepth", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private long polls;
    private long parks;
    private long busyNanos;
    private long busySince = PARKED;
    /** The local queue's depth as last recorded, for a queue that cannot be read from other threads. */
    private int queueDepth;

    /** Owner: a task was polled. */
    void polled() {
        POLLS.setOpaque(this, polls + 1);
    }

    /** Owner: the worker starts working, at {@code now}. */
    void busy(long now) {
        BUSY_SINCE.setOpaque(this, now);
    }

    /** Owner: the worker parks for want of work, at {@code now}. */
    void parked(long now) {
        stopped(now);
        PARKS.setOpaque(this, parks + 1);
    }

    /** Owner: the worker stops working without parking (its thread leaves), at {@code now}. */
    void stopped(long now) {
        long since = busySince;
        if (since != PARKED) {
            // PARKED first, the sum after it with release: a reader that sees the new sum sees
            // PARKED too, so the stretch is never counted twice.
            BUSY_SINCE.setOpaque(this, PARKED);
            BUSY_NANOS.setRelease(this, busyNanos + Math.max(0, now - since));
        }
    }

    /** Owner: records the depth of a local queue that other threads cannot read. */
    void queueDepth(int depth) {
        if (depth != queueDepth) {
            QUEUE_DEPTH.setOpaque(this, depth);
        }
    }

    /** Any thread: the depth last recorded with {@link #queueDepth(int)}. */
    int recordedQueueDepth() {
        return (int) QUEUE_DEPTH.getOpaque(this);
    }

    /** Any thread: tasks polled so far. */
    long polls() {
        return (long) POLLS.getOpaque(this);
    }

    /** Any thread: times the worker parked. */
    long parks() {
        return (long) PARKS.getOpaque(this);
    }

    /** Any thread: nanoseconds spent outside parks, up to {@code now}. */
    long busyNanos(long now) {
        long total = (long) BUSY_NANOS.getAcquire(this);
        long since = (long) BUSY_SINCE.getOpaque(this);
        return since == PARKED ? total : total + Math.max(0, now - since);
    }
}
