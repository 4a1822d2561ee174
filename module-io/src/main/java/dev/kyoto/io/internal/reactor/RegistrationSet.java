package dev.kyoto.io.internal.reactor;

import dev.kyoto.runtime.spi.RuntimeShutdown;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The live registrations of one reactor.
 *
 * <p>Under {@code lock}: the intrusive list through {@link ScheduledIo#prev}/{@link ScheduledIo#next}
 * ({@code head}, {@code size}), {@code pendingRelease} and {@code shutdown}. Deregistered entries
 * wait in {@code pendingRelease} until the reactor's next turn releases them, so an event of the
 * turn in progress never meets a half-removed entry; {@code numPendingRelease} mirrors the list's
 * length outside the lock, so a turn checks it without locking. Once {@code shutdown} is set,
 * nothing is allocated again, and {@link #shutdown()} hands every live entry to the reactor,
 * which marks each one outside the lock.
 */
final class RegistrationSet {
    /** Deregistrations that make the reactor wake up and release them. */
    static final int NOTIFY_AFTER = 16;

    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayList<ScheduledIo> pendingRelease = new ArrayList<>(NOTIFY_AFTER);
    private volatile int numPendingRelease;
    private ScheduledIo head;
    private int size;
    private boolean shutdown;

    /**
     * Allocates the state of a new registration.
     *
     * @throws IOException the runtime's shutdown error, if the reactor has shut down
     */
    ScheduledIo allocate(int initialReadiness) throws IOException {
        lock.lock();
        try {
            if (shutdown) {
                throw RuntimeShutdown.error();
            }
            ScheduledIo io = new ScheduledIo(initialReadiness);
            io.next = head;
            if (head != null) {
                head.prev = io;
            }
            head = io;
            io.linked = true;
            size++;
            return io;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues {@code io} for release at the next turn.
     *
     * @return true when the queue just reached {@link #NOTIFY_AFTER}, so the reactor should wake up
     */
    boolean deregister(ScheduledIo io) {
        lock.lock();
        try {
            if (shutdown || !io.linked) {
                return false;
            }
            pendingRelease.add(io);
            numPendingRelease = pendingRelease.size();
            return pendingRelease.size() == NOTIFY_AFTER;
        } finally {
            lock.unlock();
        }
    }

    /** Whether entries wait for release. */
    boolean needsRelease() {
        return numPendingRelease != 0;
    }

    /** Releases every entry queued by {@link #deregister}. Called by the reactor at the start of a turn. */
    void release() {
        lock.lock();
        try {
            for (ScheduledIo io : pendingRelease) {
                unlink(io);
            }
            pendingRelease.clear();
            numPendingRelease = 0;
        } finally {
            lock.unlock();
        }
    }

    private void unlink(ScheduledIo io) {
        if (!io.linked) {
            return;
        }
        if (io.prev != null) {
            io.prev.next = io.next;
        } else {
            head = io.next;
        }
        if (io.next != null) {
            io.next.prev = io.prev;
        }
        io.prev = null;
        io.next = null;
        io.linked = false;
        size--;
    }

    /** Refuses further allocations and returns every live entry; empty if already shut down. */
    List<ScheduledIo> shutdown() {
        lock.lock();
        try {
            if (shutdown) {
                return List.of();
            }
            shutdown = true;
            pendingRelease.clear();
            numPendingRelease = 0;
            List<ScheduledIo> all = new ArrayList<>(size);
            while (head != null) {
                ScheduledIo io = head;
                all.add(io);
                unlink(io);
            }
            return all;
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@link #shutdown()} ran. */
    boolean isShutdown() {
        lock.lock();
        try {
            return shutdown;
        } finally {
            lock.unlock();
        }
    }

    /** Live entries, including those waiting for release. */
    int size() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }
}
