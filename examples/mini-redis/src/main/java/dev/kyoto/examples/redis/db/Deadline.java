package dev.kyoto.examples.redis.db;

import java.util.Comparator;

/**
 * When a key expires: an element of the store's expiry index, and of the entry that expires.
 * Its identity matters: the purge removes a key only if the entry stored for it still holds this
 * very deadline, so a deadline left in the index after its key was overwritten removes nothing.
 *
 * @param key the key that expires
 * @param at when, in nanoseconds on the runtime's clock ({@link Db#nowNanos})
 * @param sequence a number unique among deadlines, ordering deadlines due at the same time
 */
record Deadline(Key key, long at, long sequence) {
    /** Soonest first. */
    static final Comparator<Deadline> SOONEST_FIRST =
            Comparator.comparingLong(Deadline::at).thenComparingLong(Deadline::sequence);

    // Identity, not content: two SETs with the same expiry are different deadlines.
    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }
}
