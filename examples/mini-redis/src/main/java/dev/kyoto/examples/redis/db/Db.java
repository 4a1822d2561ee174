package dev.kyoto.examples.redis.db;

import dev.kyoto.examples.redis.resp.Frame;
import dev.kyoto.examples.redis.resp.Numbers;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.sync.Notify;
import dev.kyoto.runtime.time.Time;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The key space: binary-safe string keys and values, each key with an optional expiry, shared by
 * every connection on every worker thread; Tokio's mini-redis {@code Db}.
 *
 * <h2>Concurrency</h2>
 * No lock is held by a command, and none across I/O:
 * <ul>
 *   <li>{@code entries}: key to {@link Entry}, a {@link ConcurrentHashMap}, written by every
 *       connection's task. An entry is immutable; a command that reads and writes a key (INCR,
 *       SET NX/XX, EXPIRE) replaces the entry it read with {@code replace(key, old, new)}
 *       (entries compare by identity) and retries if another command replaced it first, so each
 *       such command is atomic on its key. A command on several keys (MSET, DEL k1 k2) is atomic
 *       per key only: a concurrent MGET may see part of an MSET, which Redis, single-threaded,
 *       never shows.</li>
 *   <li>{@code expirations}: the deadlines of entries that expire, soonest first, a
 *       {@link ConcurrentSkipListSet}. Whoever stores an entry with a deadline adds it; whoever
 *       replaces or removes that entry removes it. Between a store and its add another command
 *       may replace the entry, so the index may hold a deadline whose entry is gone: harmless,
 *       since the purge removes a key only if its entry still holds that very deadline, and the
 *       stale deadline leaves the index when it comes due.</li>
 *   <li>Expiry is lazy and active, as in Redis: a command that meets an expired entry removes it
 *       and sees no key; the purge task ({@link #purgeExpired()}) sleeps until the soonest
 *       deadline and removes what is due.</li>
 *   <li>{@code purgeSleepsUntil} (volatile): the deadline the purge task sleeps until, written by
 *       it alone; {@code Long.MAX_VALUE} when it waits for a first deadline. A command that adds
 *       an earlier deadline notifies {@code purgeWake}. The task publishes the value, then looks
 *       at the index again; a command adds, then reads the value: one of the two sees the other,
 *       so no deadline is slept through.</li>
 * </ul>
 * Times are nanoseconds on the runtime's clock ({@link Time#now()}), which a test can pause.
 */
public final class Db {
    /** The most deadlines one purge pass removes before it lets other tasks run. */
    private static final int PURGE_BATCH = 1024;
    private static final long NO_DEADLINE = Long.MAX_VALUE;
    /** Orders before every deadline: {@code ceiling} of it is the soonest, or null, without an exception when empty. */
    private static final Deadline BEFORE_ALL = new Deadline(null, Long.MIN_VALUE, Long.MIN_VALUE);

    private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();
    private final ConcurrentSkipListSet<Deadline> expirations = new ConcurrentSkipListSet<>(Deadline.SOONEST_FIRST);
    private final AtomicLong sequence = new AtomicLong();
    private final Notify purgeWake = new Notify();
    private volatile long purgeSleepsUntil = NO_DEADLINE;

    /** An empty key space. Spawn {@link #purgeExpired()} on the runtime that serves it. */
    public Db() {
    }

    /**
     * {@return the value of {@code key}, or null if it has none}
     *
     * @param key the key
     */
    public Frame.Bulk get(Key key) {
        Entry e = live(key);
        return e == null ? null : e.value();
    }

    /**
     * Stores {@code value} under {@code key} if {@code condition} holds, with a new expiry (or
     * none), as {@code SET} does.
     *
     * @param key the key
     * @param value the value
     * @param ttlNanos how long the key lives, or 0 for ever
     * @param condition when to store
     * @return whether the value was stored
     */
    public boolean set(Key key, Frame.Bulk value, long ttlNanos, SetCondition condition) {
        Deadline deadline = ttlNanos > 0 ? deadlineIn(key, ttlNanos) : null;
        Entry fresh = new Entry(value, deadline);
        Entry old;
        switch (condition) {
            case ALWAYS -> old = entries.put(key, fresh);
            case IF_ABSENT -> {
                while (true) {
                    old = entries.putIfAbsent(key, fresh);
                    if (old == null) {
                        break;
                    }
                    if (isLive(old)) {
                        return false;
                    }
                    if (entries.replace(key, old, fresh)) {
                        break;
                    }
                }
            }
            case IF_PRESENT -> {
                while (true) {
                    old = live(key);
                    if (old == null) {
                        return false;
                    }
                    if (entries.replace(key, old, fresh)) {
                        break;
                    }
                }
            }
            default -> throw new AssertionError(condition);
        }
        replaced(old, fresh);
        return true;
    }

    /**
     * Adds {@code delta} to the integer stored under {@code key} (0 if there is none), keeping its
     * expiry, as {@code INCRBY} does.
     *
     * @param key the key
     * @param delta what to add
     * @return the new value
     * @throws NumberFormatException if the value is not an integer
     * @throws ArithmeticException if the sum overflows a {@code long}
     */
    public long add(Key key, long delta) {
        while (true) {
            Entry old = entries.get(key);
            Entry current = old != null && isLive(old) ? old : null;
            long sum = Math.addExact(current == null ? 0 : Numbers.parseLong(current.value().bytes()), delta);
            Entry fresh = new Entry(new Frame.Bulk(Numbers.toBytes(sum)), current == null ? null : current.deadline());
            if (old == null ? entries.putIfAbsent(key, fresh) == null : entries.replace(key, old, fresh)) {
                replaced(old, fresh);
                return sum;
            }
        }
    }

    /**
     * Removes {@code key}.
     *
     * @param key the key
     * @return whether it existed
     */
    public boolean delete(Key key) {
        Entry old = entries.remove(key);
        if (old == null) {
            return false;
        }
        replaced(old, null);
        return isLive(old);
    }

    /**
     * {@return whether {@code key} exists}
     *
     * @param key the key
     */
    public boolean exists(Key key) {
        return live(key) != null;
    }

    /**
     * Sets when {@code key} expires, as {@code EXPIRE} does: a time not in the future deletes it.
     *
     * @param key the key
     * @param ttlNanos how long from now it lives
     * @return whether the key exists (existed, if deleted)
     */
    public boolean expire(Key key, long ttlNanos) {
        while (true) {
            Entry old = live(key);
            if (old == null) {
                return false;
            }
            if (ttlNanos <= 0) {
                if (entries.remove(key, old)) {
                    replaced(old, null);
                    return true;
                }
                continue;
            }
            Entry fresh = new Entry(old.value(), deadlineIn(key, ttlNanos));
            if (entries.replace(key, old, fresh)) {
                replaced(old, fresh);
                return true;
            }
        }
    }

    /**
     * {@return how long {@code key} lives on in nanoseconds; -1 if it does not expire, -2 if it does not exist}
     *
     * @param key the key
     */
    public long ttlNanos(Key key) {
        Entry e = entries.get(key);
        if (e == null) {
            return -2;
        }
        if (e.deadline() == null) {
            return -1;
        }
        long left = e.deadline().at() - nowNanos();
        if (left <= 0) {
            discard(key, e);
            return -2;
        }
        return left;
    }

    /** {@return how many keys are stored, counting expired ones not removed yet, as Redis's DBSIZE does} */
    public long size() {
        return entries.mappingCount();
    }

    /** Removes every key. */
    public void clear() {
        entries.clear();
        expirations.clear();
    }

    /**
     * The purge task: removes expired keys as they come due, sleeping until the soonest deadline
     * in between (Tokio's mini-redis {@code purge_expired_tasks}). Runs until cancelled; spawn it
     * once, on the runtime that serves this key space.
     *
     * @return the task's computation
     */
    public Async<Void> purgeExpired() {
        return Async.loop(() -> {
            if (purgeDue()) {
                return Async.yieldNow().map(v -> true);
            }
            Deadline soonest = soonest();
            long next = soonest == null ? NO_DEADLINE : soonest.at();
            purgeSleepsUntil = next;
            Deadline again = soonest();
            if (again != null && again.at() < next) {
                return Async.ready(true);
            }
            Async<Void> woken = purgeWake.notified();
            if (next == NO_DEADLINE) {
                return woken.map(v -> true);
            }
            return Async.race(woken, Time.sleepUntil(Instant.ofEpochSecond(0, next))).map(v -> true);
        });
    }

    /** Removes up to a batch of due deadlines and their keys; whether more may be due. */
    private boolean purgeDue() {
        long now = nowNanos();
        for (int i = 0; i < PURGE_BATCH; i++) {
            Deadline d = soonest();
            if (d == null || d.at() > now) {
                return false;
            }
            expirations.remove(d);
            Entry e = entries.get(d.key());
            if (e != null && e.deadline() == d) {
                entries.remove(d.key(), e);
            }
        }
        return true;
    }

    private Deadline soonest() {
        return expirations.ceiling(BEFORE_ALL);
    }

    /** The live entry of {@code key}, removing it if it has expired. */
    private Entry live(Key key) {
        Entry e = entries.get(key);
        if (e == null || isLive(e)) {
            return e;
        }
        discard(key, e);
        return null;
    }

    private static boolean isLive(Entry e) {
        return e.deadline() == null || e.deadline().at() > nowNanos();
    }

    /** Removes an expired entry, unless it was replaced meanwhile. */
    private void discard(Key key, Entry expired) {
        if (entries.remove(key, expired)) {
            expirations.remove(expired.deadline());
        }
    }

    /** Keeps the index in step after {@code old} (may be null) was replaced by {@code fresh} (may be null). */
    private void replaced(Entry old, Entry fresh) {
        Deadline gone = old == null ? null : old.deadline();
        Deadline added = fresh == null ? null : fresh.deadline();
        if (gone == added) {
            return;
        }
        if (gone != null) {
            expirations.remove(gone);
        }
        if (added != null) {
            expirations.add(added);
            if (added.at() < purgeSleepsUntil) {
                purgeWake.notifyOne();
            }
        }
    }

    private Deadline deadlineIn(Key key, long ttlNanos) {
        long now = nowNanos();
        long at = ttlNanos > NO_DEADLINE - now ? NO_DEADLINE - 1 : now + ttlNanos;
        return new Deadline(key, at, sequence.getAndIncrement());
    }

    /** Now, in nanoseconds since the epoch on the runtime's clock. */
    static long nowNanos() {
        Instant now = Time.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
