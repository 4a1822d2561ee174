package dev.kyoto.examples.redis.db;

import dev.kyoto.examples.redis.resp.Frame;

/**
 * A stored value: immutable, replaced whole. The value is the bulk frame {@code SET} received,
 * which {@code GET} sends back as it is.
 *
 * @param value the value
 * @param deadline when the key expires, or null if it does not
 */
record Entry(Frame.Bulk value, Deadline deadline) {

    /** Whether the entry is still live at {@code now} (nanoseconds on the runtime's clock). */
    boolean liveAt(long now) {
        return deadline == null || deadline.at() > now;
    }

    // Identity, not content: the store's conditional replace and remove must match this entry.
    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }
}
