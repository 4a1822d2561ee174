package dev.kyoto.io.internal.reactor;

import dev.kyoto.runtime.spi.IoDriver;
import dev.kyoto.runtime.spi.IoDriverMetrics;
import java.io.IOException;
import java.nio.channels.Selector;

/**
 * A {@link SelectorReactor} parked by a daemon thread of its own, for drivers that cannot poll
 * {@code java.nio} channels (see {@code dev.kyoto.io.spi.ChannelHost}). Readiness wakes tasks from
 * that thread, so each event costs a cross-thread wake that a runtime on the selector driver does
 * not pay; the channels it serves are the ones the native driver does not own.
 *
 * <p>{@code stopped} is written once, by {@link #shutdown()}, before the reactor is shut down; the
 * thread reads it after every park, and the reactor's shutdown closes the selector, which ends a
 * park in progress, so the thread sees it and ends.
 *
 * <p>A closed channel's descriptor is released only by the selector's next turn, which on this
 * thread may be far off; so a deregistration waits for a turn that began after it
 * ({@link #awaitTurn()}), and a listener that was closed refuses connections at once, as on the
 * selector driver. {@code started} and {@code finished} count the thread's parks and are written
 * by it under {@code turnLock}, which the waiters wait on; {@code exited} is set once, as the
 * thread ends. Invariant: {@code finished <= started <= finished + 1}.
 */
public final class SelectorCompanion implements IoDriver {
    /** How long {@link #shutdown()} waits for the thread to end; the park it ends returns at once. */
    private static final long JOIN_MILLIS = 10_000;

    private final SelectorReactor reactor;
    private final Thread thread;
    private volatile boolean stopped;
    private final Object turnLock = new Object();
    private long started;
    private long finished;
    private boolean exited;

    private SelectorCompanion(SelectorReactor reactor, String threadName) {
        this.reactor = reactor;
        // No spin: the companion is a fallback for the channels a native driver does not own,
        // and a spinning thread beside the workers would take the CPU they need.
        this.thread = Thread.ofPlatform().name(threadName).daemon().unstarted(this::run);
    }

    /** Opens the selector and starts the thread. */
    public static SelectorCompanion start(String threadName) throws IOException {
        SelectorCompanion companion = new SelectorCompanion(new SelectorReactor(Selector.open(), new SpinPolicy(0)), threadName);
        companion.reactor.servedBy(companion);
        companion.thread.start();
        return companion;
    }

    /** The reactor that channels register with. */
    SelectorReactor reactor() {
        return reactor;
    }

    private void run() {
        try {
            while (!stopped) {
                synchronized (turnLock) {
                    started++;
                }
                reactor.park(-1);
                synchronized (turnLock) {
                    finished++;
                    turnLock.notifyAll();
                }
            }
        } finally {
            synchronized (turnLock) {
                exited = true;
                turnLock.notifyAll();
            }
        }
    }

    /**
     * Returns once a turn that began after this call has ended, or the thread has: by then the
     * selector has released every key cancelled before the call, and with them the descriptors
     * of closed channels. Waking the thread for it costs one or two cross-thread round trips.
     */
    void awaitTurn() {
        if (Thread.currentThread() == thread) {
            return;
        }
        boolean interrupted = false;
        synchronized (turnLock) {
            // A turn in progress may have passed its release of cancelled keys: wait for the next.
            long target = started + 1;
            while (finished < target && !exited) {
                reactor.unpark();
                try {
                    turnLock.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** @throws UnsupportedOperationException always: the companion's own thread parks on it */
    @Override
    public void park(long timeoutNanos) {
        throw new UnsupportedOperationException("a companion selector is parked by its own thread");
    }

    @Override
    public void unpark() {
        reactor.unpark();
    }

    @Override
    public void shutdown() {
        stopped = true;
        reactor.shutdown();
        if (Thread.currentThread() != thread) {
            boolean interrupted = false;
            for (;;) {
                try {
                    thread.join(JOIN_MILLIS);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public IoDriverMetrics metrics() {
        return reactor.metrics();
    }
}
