package dev.kyoto.io.internal.reactor;

import dev.kyoto.io.Ready;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Waker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.SelectionKey;

/**
 * The readiness state of one registered resource, shared by the reactor (which sets readiness)
 * and the tasks that use the resource (which wait for and clear it).
 *
 * <p>{@code word} packs, in one atomic int:
 * <ul>
 *   <li>bits 0–14: readiness, in {@link Ready#bits()} encoding;</li>
 *   <li>bit 15: closed by its owner, set once and never cleared;</li>
 *   <li>bits 16–30: a 15-bit tick, bumped on every readiness the reactor sets;</li>
 *   <li>bit 31: shutdown, set once and never cleared.</li>
 * </ul>
 * A task that saw readiness at tick {@code t} and then got "would block" clears it only if the
 * tick is still {@code t}: if the reactor set new readiness in between, the clear is discarded,
 * so that event is never lost. Clearing never touches the shutdown and closed bits or the sticky
 * read-closed and write-closed readiness. A waiter sees the closed and shutdown bits as ready and
 * then fails, so closing a resource or shutting the runtime down releases every task waiting on it.
 *
 * <p>{@code reader} and {@code writer} hold the waker of the task waiting to read or write (one
 * each, as in Tokio: at most one reader and one writer task per resource). A waiter publishes its
 * waker and then re-reads {@code word}; the reactor updates {@code word} and then takes the
 * waker; with both steps volatile, one side always sees the other, so no wake is lost. Wakers
 * are invoked outside any lock. Any number of other tasks may wait in {@code waiters}, the
 * multi-waiter path ({@code readable()}, concurrent accepts); a wake serves both.
 *
 * <p>{@code readDisarmed} records that the reactor removed read interest from the selector while
 * read readiness was still set (the task had not drained the resource, and a level-triggered
 * selector would report it again and again). It is changed together with the key's interest,
 * under this object's monitor; the clear that follows re-arms read interest.
 *
 * <p>{@code prev}/{@code next} link the live registrations of {@link RegistrationSet}, under its lock.
 */
final class ScheduledIo {
    static final int READINESS_MASK = 0xFFFF;
    static final int TICK_SHIFT = 16;
    static final int TICK_MAX = 0x7FFF;
    static final int SHUTDOWN = 1 << 31;
    static final int CLOSED = 1 << 15;
    /** What {@link #pollReady} returns while not ready: never a ready snapshot, which has readiness or shutdown set. */
    static final int PENDING = 0;

    static final int READ_MASK = Ready.READABLE.bits() | Ready.READ_CLOSED.bits();
    static final int WRITE_MASK = Ready.WRITABLE.bits() | Ready.WRITE_CLOSED.bits();
    private static final int STICKY_BITS = Ready.READ_CLOSED.bits() | Ready.WRITE_CLOSED.bits() | CLOSED;

    private static final VarHandle WORD;
    private static final VarHandle READER;
    private static final VarHandle WRITER;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            WORD = l.findVarHandle(ScheduledIo.class, "word", int.class);
            READER = l.findVarHandle(ScheduledIo.class, "reader", Waker.class);
            WRITER = l.findVarHandle(ScheduledIo.class, "writer", Waker.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile int word;
    private volatile Waker reader;
    private volatile Waker writer;
    /** The tasks waiting on the multi-waiter path. */
    final ReadinessWaiters waiters = new ReadinessWaiters();
    volatile boolean readDisarmed;
    /**
     * Set by the reactor when it wakes the reader, cleared by the reader's next poll (read only
     * first, so a poll writes nothing in the common case): while set, a wake is on its way to a
     * reader that has not run yet (a virtual thread being handed to a carrier, say), so read
     * readiness still set then is no sign of a reader that stopped reading. A stale value costs
     * at most a few turns before {@code SelectorReactor} disarms read anyway.
     */
    volatile boolean readerWoken;
    /**
     * Blocking turns that found read readiness still set since the reactor last woke the reader;
     * read and written only by the thread turning the selector, which resets it when a turn
     * wakes the reader (turns are serialized by the driver's lock).
     */
    int inFlightTurns;
    /** The selection key; replaced only when the reactor rebuilds its selector. */
    volatile SelectionKey key;

    ScheduledIo prev;
    ScheduledIo next;
    boolean linked;

    ScheduledIo(int initialReadiness) {
        this.word = initialReadiness & READINESS_MASK;
    }

    static int readiness(int word) {
        return word & READINESS_MASK;
    }

    static int tick(int word) {
        return (word >>> TICK_SHIFT) & TICK_MAX;
    }

    static boolean isShutdown(int word) {
        return (word & SHUTDOWN) != 0;
    }

    /** The current word. */
    int word() {
        return word;
    }

    /**
     * Adds readiness for a new event and bumps the tick. Called by the reactor, and by a task
     * that observed end of stream (read-closed).
     *
     * @return the word before the change
     */
    int setReadiness(int bits) {
        for (;;) {
            int w = word;
            int tick = (tick(w) + 1) & TICK_MAX;
            int next = (w & SHUTDOWN) | (tick << TICK_SHIFT) | ((w | bits) & READINESS_MASK);
            if (WORD.compareAndSet(this, w, next)) {
                return w;
            }
        }
    }

    /**
     * Clears the {@code mask} readiness a task observed in {@code observed}, unless new readiness
     * arrived since (the tick moved). Closed bits and the shutdown bit are never cleared.
     *
     * @return whether the clear took effect
     */
    boolean clearReadiness(int observed, int mask) {
        int clear = mask & ~STICKY_BITS & READINESS_MASK;
        for (;;) {
            int w = word;
            if (tick(w) != tick(observed)) {
                return false;
            }
            if (WORD.compareAndSet(this, w, w & ~clear)) {
                return true;
            }
        }
    }

    /** Marks the resource shut down and wakes every waiter, who will then see the shutdown error. */
    void shutdown() {
        WORD.getAndBitwiseOr(this, SHUTDOWN);
        wake(Ready.ALL.bits());
    }

    /**
     * Wakes the reader if {@code bits} is read readiness, the writer if it is write readiness,
     * and every multi-path waiter whose interest {@code bits} meets.
     *
     * @return whether a reader was woken
     */
    boolean wake(int bits) {
        waiters.wake(bits);
        boolean wokeReader = false;
        if ((bits & READ_MASK) != 0 && reader != null) {
            Waker w = (Waker) READER.getAndSet(this, (Waker) null);
            if (w != null) {
                readerWoken = true;
                wokeReader = true;
                w.wake();
            }
        }
        if ((bits & WRITE_MASK) != 0 && writer != null) {
            Waker w = (Waker) WRITER.getAndSet(this, (Waker) null);
            if (w != null) {
                w.wake();
            }
        }
        return wokeReader;
    }

    /**
     * Returns the word if any of {@code mask} is ready or the resource is closed or shut down; else stores
     * the poll's waker in the reader (or writer) slot and returns {@link #PENDING}.
     */
    int pollReady(Context cx, int mask, boolean write) {
        int stop = mask | CLOSED;
        if (!write && readerWoken) {
            readerWoken = false;
        }
        int w = word;
        if ((w & stop) != 0 || w < 0) {
            return w;
        }
        Waker waker = cx.waker();
        if (write) {
            writer = waker;
        } else {
            reader = waker;
        }
        w = word;
        return (w & stop) != 0 || w < 0 ? w : PENDING;
    }

    static boolean isClosed(int word) {
        return (word & CLOSED) != 0;
    }

    /**
     * Marks the resource closed by its owner and wakes every waiter of either path, who will then fail.
     *
     * @return whether this call closed it (false if it was closed already)
     */
    boolean close() {
        int before = (int) WORD.getAndBitwiseOr(this, CLOSED);
        wake(Ready.ALL.bits());
        return !isClosed(before);
    }

    /** Drops the stored wakers, so a closed resource keeps no task reachable. */
    void clearWakers() {
        reader = null;
        writer = null;
    }
}
