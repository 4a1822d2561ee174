package dev.kyoto.runtime.internal.time;

import java.util.function.Consumer;

/**
 * A hierarchical timing wheel: 6 levels of 64 slots at 1 ms resolution. Level {@code n}'s slots
 * each span {@code 64^n} ms, so the wheel reaches {@code 64^6} ms (about 2.18 years) ahead.
 *
 * <p>An entry goes to the level of the highest bit in which its deadline differs from
 * {@code elapsed} (the time the wheel has been advanced to), and to the slot its deadline has at
 * that level. Advancing takes the next occupied slot in level order; a slot of level 0 holds
 * entries that are all due, a slot of a higher level is taken when its span begins and its
 * entries cascade to lower levels. Inserting, removing and finding the next expiration are
 * constant time; each entry cascades at most once per level.
 *
 * <p>An entry whose deadline lies further ahead than the wheel reaches keeps its deadline and
 * goes to the slot at the wheel's reach. When that slot comes round the entry is inserted again,
 * from the new {@code elapsed}, like any cascading entry: it never fires before its deadline,
 * and a deadline practically forever away (the saturated {@code Long.MAX_VALUE} nanoseconds of a
 * "forever" timeout) only goes round once every 2.18 years.
 *
 * <p>Not thread-safe: the time driver holds its lock around every call.
 */
final class Wheel {
    static final int LEVELS = 6;
    static final int SLOT_BITS = 6;
    static final int SLOTS = 1 << SLOT_BITS;
    /** The furthest past {@code elapsed} that a slot reaches; later deadlines wait in the slot at this distance. */
    static final long MAX_DURATION = (1L << (SLOT_BITS * LEVELS)) - 1;
    /** What {@link #nextExpiration()} returns when the wheel is empty. */
    static final long NONE = Long.MAX_VALUE;

    private final long[] occupied = new long[LEVELS];
    private final TimerEntry[][] heads = new TimerEntry[LEVELS][SLOTS];
    private final TimerEntry[][] tails = new TimerEntry[LEVELS][SLOTS];
    private long elapsed;
    private int size;

    /** The time, in ms, that the wheel has been advanced to. */
    long elapsed() {
        return elapsed;
    }

    /** The number of entries in the wheel. */
    int size() {
        return size;
    }

    /**
     * Adds {@code e} for its deadline, in the slot of {@link #MAX_DURATION} ahead if the deadline
     * is further away (the entry keeps its deadline, and is inserted again from there).
     *
     * @return false, leaving it out, if the deadline has already passed
     */
    boolean insert(TimerEntry e) {
        if (e.deadline <= elapsed) {
            return false;
        }
        long when = e.deadline - elapsed > MAX_DURATION ? elapsed + MAX_DURATION : e.deadline;
        int level = levelFor(elapsed, when);
        int slot = (int) ((when >>> (SLOT_BITS * level)) & (SLOTS - 1));
        e.level = level;
        e.slot = slot;
        e.next = null;
        e.prev = tails[level][slot];
        if (e.prev == null) {
            heads[level][slot] = e;
        } else {
            e.prev.next = e;
        }
        tails[level][slot] = e;
        occupied[level] |= 1L << slot;
        size++;
        return true;
    }

    /** Takes {@code e} out of the wheel if it is in it. */
    void remove(TimerEntry e) {
        if (!e.inWheel()) {
            return;
        }
        int level = e.level;
        int slot = e.slot;
        if (e.prev == null) {
            heads[level][slot] = e.next;
        } else {
            e.prev.next = e.next;
        }
        if (e.next == null) {
            tails[level][slot] = e.prev;
        } else {
            e.next.prev = e.prev;
        }
        if (heads[level][slot] == null) {
            occupied[level] &= ~(1L << slot);
        }
        e.prev = null;
        e.next = null;
        e.level = -1;
        size--;
    }

    static int levelFor(long elapsed, long when) {
        long masked = (elapsed ^ when) | (SLOTS - 1);
        if (masked >= MAX_DURATION) {
            masked = MAX_DURATION - 1;
        }
        int significant = 63 - Long.numberOfLeadingZeros(masked);
        return significant / SLOT_BITS;
    }

    /** When the next occupied slot begins, in ms; {@link #NONE} if the wheel is empty. */
    long nextExpiration() {
        for (int level = 0; level < LEVELS; level++) {
            if (occupied[level] != 0) {
                return slotStart(level, nextSlot(level));
            }
        }
        return NONE;
    }

    private int nextSlot(int level) {
        int nowSlot = (int) ((elapsed >>> (SLOT_BITS * level)) & (SLOTS - 1));
        int zeros = Long.numberOfTrailingZeros(Long.rotateRight(occupied[level], nowSlot));
        return (zeros + nowSlot) & (SLOTS - 1);
    }

    private long slotStart(int level, int slot) {
        long levelRange = 1L << (SLOT_BITS * (level + 1));
        long slotRange = 1L << (SLOT_BITS * level);
        long deadline = (elapsed & -levelRange) + slot * slotRange;
        if (deadline <= elapsed) {
            // Only the top level wraps: its slots are a ring, and a slot "before" now lies one
            // rotation ahead.
            deadline += levelRange;
        }
        return deadline;
    }

    /**
     * Advances the wheel to {@code now}, handing every entry whose deadline has passed to
     * {@code fire}, in deadline order (entries with the same deadline in the order they were
     * inserted). Entries of a higher level cascade down as their span begins.
     */
    void advance(long now, Consumer<TimerEntry> fire) {
        for (;;) {
            int level = -1;
            for (int l = 0; l < LEVELS; l++) {
                if (occupied[l] != 0) {
                    level = l;
                    break;
                }
            }
            if (level < 0) {
                break;
            }
            int slot = nextSlot(level);
            long start = slotStart(level, slot);
            if (start > now) {
                break;
            }
            TimerEntry e = heads[level][slot];
            heads[level][slot] = null;
            tails[level][slot] = null;
            occupied[level] &= ~(1L << slot);
            elapsed = start;
            while (e != null) {
                TimerEntry next = e.next;
                e.prev = null;
                e.next = null;
                e.level = -1;
                size--;
                if (!insert(e)) {
                    fire.accept(e);
                }
                e = next;
            }
        }
        if (now > elapsed) {
            elapsed = now;
        }
    }

    /** Empties the wheel, handing every entry to {@code each}. */
    void drain(Consumer<TimerEntry> each) {
        for (int level = 0; level < LEVELS; level++) {
            for (int slot = 0; slot < SLOTS; slot++) {
                TimerEntry e = heads[level][slot];
                heads[level][slot] = null;
                tails[level][slot] = null;
                while (e != null) {
                    TimerEntry next = e.next;
                    e.prev = null;
                    e.next = null;
                    e.level = -1;
                    each.accept(e);
                    e = next;
                }
            }
            occupied[level] = 0;
        }
        size = 0;
    }
}
