package dev.kyoto.runtime.internal.scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The counters of one worker (a multi-thread runtime's worker, or the core of a current-thread
 * runtime) that its queue does not keep itself: task polls, parks, busy time and, for a queue
 * other threads cannot read, its depth.
 *
 * <p>Single writer: only the thread running as the worker writes, with opaque stores of values
 * it computed from its own previous writes, so counting costs a plain add and a store with no
 * fence; any thread reads with opaque loads, which never tear a {@code long}.
 *
 * <p>The counters live in the middle of one array, a cache line of padding on each side: a
 * worker stores its poll count after every task, and the objects allocated next to its metrics
 * belong to the next worker, whose thread would otherwise lose that line on every poll of this
 * one (measured: 7 % more CPU per round trip at 64 connections before the padding).
 *
 * <p>{@code BUSY_SINCE} is the {@link System#nanoTime()} at which the worker last left a park, or
 * {@link #PARKED} while it is parked; {@code BUSY_NANOS} sums the busy stretches that ended. A
 * reader adds the stretch in progress, so busy time keeps growing while a worker never parks.
 * When a stretch ends, {@code BUSY_SINCE} is stored first and the sum after it with release,
 * which a reader loads first with acquire: a read between the two stores misses that stretch for
 * a moment, and no read counts it twice.
 */
final class WorkerMetrics {
    static final long PARKED = Long.MIN_VALUE;
    /** Longs of padding on each side: 64 bytes, a cache line on the machines Kyoto runs on. */
    private static final int PAD = 8;
    private static final int POLLS = PAD;
    private static final int PARKS = PAD + 1;
    private static final int BUSY_NANOS = PAD + 2;
    private static final int BUSY_SINCE = PAD + 3;
    private static final int QUEUE_DEPTH = PAD + 4;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] slots = new long[QUEUE_DEPTH + 1 + PAD];

    WorkerMetrics() {
        slots[BUSY_SINCE] = PARKED;
    }

    private void store(int slot, long value) {
        SLOT.setOpaque(slots, slot, value);
    }

    private long load(int slot) {
        return (long) SLOT.getOpaque(slots, slot);
    }

    /** Owner: a task was polled. */
    void polled() {
        store(POLLS, slots[POLLS] + 1);
    }

    /** Owner: the worker starts working, at {@code now}. */
    void busy(long now) {
        store(BUSY_SINCE, now);
    }

    /** Owner: the worker parks for want of work, at {@code now}. */
    void parked(long now) {
        stopped(now);
        store(PARKS, slots[PARKS] + 1);
    }

    /** Owner: the worker stops working without parking (its thread leaves), at {@code now}. */
    void stopped(long now) {
        long since = slots[BUSY_SINCE];
        if (since != PARKED) {
            store(BUSY_SINCE, PARKED);
            SLOT.setRelease(slots, BUSY_NANOS, slots[BUSY_NANOS] + Math.max(0, now - since));
        }
    }

    /** Owner: records the depth of a local queue that other threads cannot read. */
    void queueDepth(int depth) {
        if (depth != slots[QUEUE_DEPTH]) {
            store(QUEUE_DEPTH, depth);
        }
    }

    /** Any thread: tasks polled so far. */
    long polls() {
        return load(POLLS);
    }

    /** Any thread: times the worker parked. */
    long parks() {
        return load(PARKS);
    }

    /** Any thread: nanoseconds spent outside parks, up to {@code now}. */
    long busyNanos(long now) {
        long total = (long) SLOT.getAcquire(slots, BUSY_NANOS);
        long since = load(BUSY_SINCE);
        return since == PARKED ? total : total + Math.max(0, now - since);
    }

    /** Any thread: the depth last recorded with {@link #queueDepth(int)}. */
    int recordedQueueDepth() {
        return (int) load(QUEUE_DEPTH);
    }
}
