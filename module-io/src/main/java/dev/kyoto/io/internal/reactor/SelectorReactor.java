package dev.kyoto.io.internal.reactor;

import dev.kyoto.io.Interest;
import dev.kyoto.io.Ready;
import dev.kyoto.io.spi.ChannelHost;
import dev.kyoto.runtime.spi.IoDriver;
import dev.kyoto.runtime.spi.IoDriverMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.StampedLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reactor: one {@link Selector}, turned by whichever runtime thread parks on it, setting
 * readiness on each resource's {@link ScheduledIo} and waking the tasks that wait.
 *
 * <p>The selector is level-triggered, Tokio's epoll edge-triggered. The reactor emulates the
 * edge without an interest change per message:
 * <ul>
 *   <li>Read interest stays armed. It is disarmed only when a <em>blocking</em> turn reports a
 *       resource whose read readiness is still set: its task has not drained it, and the selector
 *       would return at once forever. The clear that follows re-arms it. In the common case
 *       (event, task reads to "would block", clear) interest never changes, so no
 *       {@code epoll_ctl} happens.</li>
 *   <li>Except while the reader's wake is in flight: a turn that finds read readiness still set
 *       for a reader it woke that has not polled since ({@code ScheduledIo.readerWoken}) leaves
 *       interest alone, reports nothing new and, if that was all it found, yields before the next
 *       turn. A reader that is a virtual thread in {@code Async.await()} runs only once a carrier
 *       takes it, by which time the parking thread has often turned again; disarming there cost
 *       two {@code epoll_ctl} and a selector wakeup per message (5.4 system calls per echo round
 *       trip against 2.7). After {@value #MAX_IN_FLIGHT_TURNS} such turns for one wake it
 *       disarms anyway: a reader woken that never polls again is a reader that stopped.</li>
 *   <li>Write interest is armed only after a write would block (or while a connect is pending,
 *       as {@code OP_CONNECT}) and disarmed when it fires: a socket is almost always writable,
 *       so a new registration starts out writable.</li>
 * </ul>
 *
 * <p>Parking protocol: {@code state} is {@code RUNNING}, {@code PARKED} (a thread is, or is
 * about to be, blocked in {@code select}) or {@code NOTIFIED} (an unpark is pending). The parking
 * thread moves {@code RUNNING → PARKED} before a blocking select and swaps back to
 * {@code RUNNING} after it. {@link #unpark()} swaps in {@code NOTIFIED} and calls
 * {@link Selector#wakeup()} only if it replaced {@code PARKED}: at most one wakeup system call per
 * sleep, none while the reactor is awake. An unpark that finds {@code RUNNING} makes the next
 * park poll instead of block.
 *
 * <p>Interest changes reach a selector that another thread may be blocked on; they are queued by
 * the JDK before {@code state} is read, and applied at the start of the next select, so they
 * need a wakeup only when the state is {@code PARKED} ({@link #wakeIfParked()}).
 *
 * <p>Before a blocking select, a park may first poll without blocking for a few tens of
 * microseconds, when {@link SpinPolicy} judges that an event is about to come: the state stays
 * {@code RUNNING} meanwhile, and a pending unpark ends the spin.
 *
 * <p>Rebuilding the selector. A selector that keeps returning early with nothing selected (the
 * epoll spin bug) is replaced: a fresh one is opened, every valid key is registered with it with
 * the same interest and attachment, {@code selector} and each {@code ScheduledIo.key} are
 * switched over, and the old one is closed. The rebuild runs only on the thread that turns the
 * selector, between two turns, so no select runs on the old selector meanwhile; and it runs under
 * {@code keysLock} in write mode. Every other thread's operation on the selector or on a key —
 * {@link #register}, {@link #armWrite}, {@link #rearmRead}, {@link #deregister} — holds
 * {@code keysLock} in read mode and reads {@code selector} or {@code io.key} under it; shutdown
 * closes the selector in write mode. So each such operation happens wholly before the rebuild
 * reads the interest sets and copies the keys (and the copy carries its effect), or wholly after
 * the new selector and keys are published (and acts on them): none can register with, or change
 * interest on, a selector whose keys are being or have been copied. The parking thread's own
 * interest changes (disarming read, disarming write when it fires) happen inside turns, never
 * during a rebuild, and take no lock. Neither does anything on the steady-state read and write
 * path: the lock is taken for a registration, a deregistration, and the interest changes that
 * follow a write that would block or a read disarm.
 *
 * <p>Fields written only by the parking thread: {@code readyThisTurn}, {@code blockingTurn},
 * {@code earlyReturns}, {@code rebuilds}, {@code failedRebuilds}, {@code inFlightThisTurn}, each {@code ScheduledIo.inFlightTurns}, the
 * state of {@code spin}; {@code turns} and {@code readyEvents} are written only by it and read by anyone. {@code selector} is replaced only by a rebuild.
 */
public final class SelectorReactor implements IoDriver, IoDriverMetrics {
    private static final Logger LOG = LoggerFactory.getLogger(SelectorReactor.class);
    private static final int RUNNING = 0;
    private static final int PARKED = 1;
    private static final int NOTIFIED = 2;
    /** Consecutive empty early returns of a blocking select after which the selector is rebuilt. */
    private static final int REBUILD_THRESHOLD = 512;
    /** Blocking turns that may find a resource's woken reader not yet run before its read is disarmed anyway. */
    static final int MAX_IN_FLIGHT_TURNS = 16;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(SelectorReactor.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile Selector selector;
    /** Read mode: registering with or changing interest on the selector; write mode: replacing or closing it. */
    private final StampedLock keysLock = new StampedLock();
    private volatile int state;
    private final RegistrationSet registrations = new RegistrationSet();
    private final Consumer<SelectionKey> onKey = this::onKey;
    private final AtomicLong wakeups = new AtomicLong();
    private volatile long turns;
    private volatile long readyEvents;
    private int readyThisTurn;
    private boolean blockingTurn;
    private int earlyReturns;
    /** Selector rebuilds, and rebuilds that could not open a selector: each logged at 1, 2, 4, 8, … only. */
    private int rebuilds;
    private int failedRebuilds;
    /** Keys reported this turn whose read readiness was still set while their woken reader had not yet run. */
    private int inFlightThisTurn;
    private final SpinPolicy spin;
    /** The companion whose thread parks on this reactor, or null when a runtime's workers do; set once, before any registration. */
    private volatile SelectorCompanion companion;

    public SelectorReactor(Selector selector) {
        this(selector, SpinPolicy.fromSystemProperties());
    }

    SelectorReactor(Selector selector, SpinPolicy spin) {
        this.selector = selector;
        this.spin = spin;
    }

    /**
     * The reactor that serves {@code java.nio} channels for {@code driver}: the driver itself, or
     * the companion of a {@link ChannelHost}.
     *
     * @throws IOException the runtime's shutdown error if the host is shut down, or why its companion could not open
     * @throws IllegalStateException if the driver serves no channels
     */
    public static SelectorReactor forChannels(IoDriver driver) throws IOException {
        if (driver instanceof SelectorReactor reactor) {
            return reactor;
        }
        if (driver instanceof ChannelHost host && host.channelDriver() instanceof SelectorCompanion companion) {
            return companion.reactor();
        }
        throw new IllegalStateException("the runtime's I/O driver " + driver.getClass().getName()
                + " does not serve java.nio channels; build the runtime with the nio driver of module dev.kyoto.io");
    }

    /**
     * Registers {@code channel} (switched to non-blocking mode) for {@code interest}.
     *
     * @throws IOException the runtime's shutdown error after shutdown, or the channel's own failure;
     *                     in either case nothing stays registered
     */
    public Registration register(SelectableChannel channel, Interest interest) throws IOException {
        int valid = channel.validOps();
        int readOp = (valid & SelectionKey.OP_ACCEPT) != 0 ? SelectionKey.OP_ACCEPT : SelectionKey.OP_READ;
        boolean connecting = channel instanceof SocketChannel sc && sc.isConnectionPending();
        int ops = 0;
        int initial = 0;
        if (interest.isReadable() && (valid & readOp) != 0) {
            ops |= readOp;
        }
        if (interest.isWritable()) {
            if (connecting) {
                ops |= SelectionKey.OP_CONNECT;
            } else {
                initial |= Ready.WRITABLE.bits();
            }
        }
        ScheduledIo io = registrations.allocate(initial);
        long stamp = keysLock.readLock();
        try {
            channel.configureBlocking(false);
            io.key = channel.register(selector, ops, io);
        } catch (IOException | RuntimeException e) {
            registrations.deregister(io);
            throw e;
        } finally {
            keysLock.unlockRead(stamp);
        }
        wakeIfParked();
        return new Registration(this, io, readOp);
    }

    @Override
    public void park(long timeoutNanos) {
        if (timeoutNanos == 0) {
            STATE.compareAndSet(this, NOTIFIED, RUNNING);
            turn(0);
            return;
        }
        long start = System.nanoTime();
        if (spin.shouldSpin(timeoutNanos) && spinTurns(start)) {
            return;
        }
        if (!STATE.compareAndSet(this, RUNNING, PARKED)) {
            state = RUNNING;
            turn(0);
            return;
        }
        // The JDK wakes the selector of an interrupted thread at once, so a select made with the
        // flag set returns at once, every time: the park would spin for as long as its caller
        // waits. A park is not interruptible (as Lock.lock() is not): the flag is taken off for
        // the select and put back after it, for the caller's own code to see.
        boolean interrupted = Thread.interrupted();
        int n;
        boolean interruptedDuring;
        try {
            n = turn(timeoutNanos);
        } finally {
            interruptedDuring = Thread.currentThread().isInterrupted();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        boolean unparked = (int) STATE.getAndSet(this, RUNNING) == NOTIFIED;
        if (n > 0 && inFlightThisTurn == n) {
            // Every key reported is one whose woken reader has not run yet: the CPU (on virtual
            // worker threads, the carrier) this thread would spend turning again is what it needs.
            Thread.yield();
        }
        spin.blocked(n, System.nanoTime() - start);
        // Only an untimed select that returns with nothing selected and nobody having woken it is
        // suspect (the epoll spin bug). Timed selects may return a little early, a closed selector
        // (n < 0) returns at once by design, and an interrupt during the select wakes it; none of
        // these is counted.
        boolean early = n == 0 && !unparked && !interruptedDuring && timeoutNanos < 0;
        earlyReturns = early ? earlyReturns + 1 : 0;
        if (earlyReturns >= REBUILD_THRESHOLD) {
            earlyReturns = 0;
            int moved = rebuildSelector();
            if (moved >= 0 && isPowerOfTwo(++rebuilds)) {
                LOG.warn("Selector.select() returned {} times in a row with nothing selected and nobody waking it (the JDK's "
                        + "epoll spin bug): replaced the selector, moving {} registrations (rebuild {}; the next are logged "
                        + "at 2, 4, 8, ... rebuilds)", REBUILD_THRESHOLD, moved, rebuilds);
            }
        }
    }

    /**
     * Polls without blocking until an event comes, an unpark is pending or the spin is over.
     * Each poll counts as a blocking turn for the read-disarm rule: like a blocking park, a spin
     * runs only when the parking thread has nothing else to do.
     *
     * @return whether the park is over (events came, or the selector closed); false if it should
     *         go on to block (which, after an unpark, polls once and returns)
     */
    private boolean spinTurns(long start) {
        do {
            if (state == NOTIFIED) {
                return false;
            }
            int n = turn(0, true);
            if (n != 0) {
                spin.spinCaught(n, System.nanoTime() - start);
                return true;
            }
            Thread.onSpinWait();
        } while (System.nanoTime() - start < spin.spinNanos());
        spin.spinMissed();
        return false;
    }

    private int turn(long timeoutNanos) {
        return turn(timeoutNanos, timeoutNanos != 0);
    }

    private int turn(long timeoutNanos, boolean blocking) {
        if (registrations.needsRelease()) {
            registrations.release();
        }
        readyThisTurn = 0;
        inFlightThisTurn = 0;
        blockingTurn = blocking;
        Selector s = selector;
        try {
            if (timeoutNanos == 0) {
                s.selectNow(onKey);
            } else if (timeoutNanos < 0) {
                s.select(onKey);
            } else {
                s.select(onKey, Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos + 999_999)));
            }
        } catch (ClosedSelectorException e) {
            // Shut down: there is nothing left to wait for.
            return -1;
        } catch (IOException e) {
            throw new UncheckedIOException("unexpected error when polling the I/O driver", e);
        }
        turns++;
        readyEvents += readyThisTurn;
        return readyThisTurn;
    }

    private void onKey(SelectionKey key) {
        ScheduledIo io = (ScheduledIo) key.attachment();
        int ready = 0;
        try {
            int ops = key.readyOps();
            if ((ops & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT)) != 0) {
                if (!blockingTurn || (io.word() & ScheduledIo.READ_MASK) == 0) {
                    ready |= Ready.READABLE.bits();
                } else if (io.readerWoken && ++io.inFlightTurns <= MAX_IN_FLIGHT_TURNS) {
                    // The readiness is set and its reader's wake is on the way: nothing to add.
                    inFlightThisTurn++;
                } else {
                    ready |= Ready.READABLE.bits();
                    disarmRead(io, key);
                }
            }
            int writeOps = ops & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT);
            if (writeOps != 0) {
                ready |= Ready.WRITABLE.bits();
                key.interestOpsAnd(~writeOps);
            }
        } catch (CancelledKeyException e) {
            return;
        }
        // Interest changes above happen before readiness is published: a task that sees the
        // new readiness and clears it again is then certain to see readDisarmed and re-arm.
        if (ready != 0) {
            io.setReadiness(ready);
            if (io.wake(ready)) {
                io.inFlightTurns = 0;
            }
        }
        readyThisTurn++;
    }

    private static void disarmRead(ScheduledIo io, SelectionKey key) {
        synchronized (io) {
            if (!io.readDisarmed) {
                io.readDisarmed = true;
                key.interestOpsAnd(~(SelectionKey.OP_READ | SelectionKey.OP_ACCEPT));
            }
        }
    }

    /** Re-arms read interest disarmed by a turn; called after a clear of read readiness took effect. */
    void rearmRead(ScheduledIo io, int readOp) {
        if (!io.readDisarmed) {
            return;
        }
        long stamp = keysLock.readLock();
        try {
            synchronized (io) {
                if (!io.readDisarmed) {
                    return;
                }
                io.readDisarmed = false;
                io.key.interestOpsOr(readOp);
            }
        } catch (CancelledKeyException e) {
            return;
        } finally {
            keysLock.unlockRead(stamp);
        }
        wakeIfParked();
    }

    /** Arms write interest after a write would block (connect interest while a connect is pending). */
    void armWrite(ScheduledIo io) {
        long stamp = keysLock.readLock();
        try {
            SelectionKey key = io.key;
            // The JDK reports OP_WRITE only once connected: arming it on a pending connect would
            // leave a level-triggered POLLOUT that is never reported, and the selector would spin.
            boolean connecting = key.channel() instanceof SocketChannel sc && sc.isConnectionPending();
            key.interestOpsOr(connecting ? SelectionKey.OP_CONNECT : SelectionKey.OP_WRITE);
        } catch (CancelledKeyException e) {
            return;
        } finally {
            keysLock.unlockRead(stamp);
        }
        wakeIfParked();
    }

    /**
     * Removes a registration: the key now, its state at the next turn. The JDK closes the
     * descriptor of a closed channel only when the selector next runs, so a turn blocked on
     * another thread is woken: an idle server must not hold on to the sockets it closed.
     */
    void deregister(ScheduledIo io) {
        long stamp = keysLock.readLock();
        try {
            SelectionKey key = io.key;
            if (key != null) {
                key.cancel();
            }
        } finally {
            keysLock.unlockRead(stamp);
        }
        io.clearWakers();
        if (registrations.deregister(io)) {
            unpark();
        } else {
            wakeIfParked();
        }
        SelectorCompanion c = companion;
        if (c != null) {
            c.awaitTurn();
        }
    }

    /** Marks this reactor as parked by {@code c}'s own thread, before that thread starts. */
    void servedBy(SelectorCompanion c) {
        companion = c;
    }

    /** Whether a thread is, or is about to be, blocked in the selector; for tests. */
    boolean parked() {
        return state == PARKED;
    }

    /** Wakes a thread blocked in select so that it applies an interest change. */
    void wakeIfParked() {
        if (state == PARKED) {
            unpark();
        }
    }

    @Override
    public void unpark() {
        if ((int) STATE.getAndSet(this, NOTIFIED) == PARKED) {
            wakeups.incrementAndGet();
            selector.wakeup();
        }
    }

    /**
     * Shuts down: every waiter wakes to the shutdown error, the selector closes, and so does every
     * channel still registered. Those channels can do nothing but fail with the shutdown error
     * from now on, and their owners may never close them: a task that owned a socket (a server's
     * connection, say) was cancelled by the same shutdown, and a cancelled computation does not
     * run the rest of its chain, where the close was. Tokio's tasks own their sockets, and
     * dropping the tasks closes them; Netty's event loop closes its channels as it shuts down.
     * Closing a channel twice is harmless, so an owner that does close it later loses nothing.
     */
    @Override
    public void shutdown() {
        List<ScheduledIo> live = registrations.shutdown();
        for (ScheduledIo io : live) {
            io.shutdown();
        }
        long stamp = keysLock.writeLock();
        try {
            selector.close();
        } catch (IOException e) {
            LOG.debug("closing the selector failed during shutdown", e);
        } finally {
            keysLock.unlockWrite(stamp);
        }
        // After the write lock: a registration in progress has set its key, or will find the selector closed.
        for (ScheduledIo io : live) {
            SelectionKey key = io.key;
            if (key != null) {
                try {
                    key.channel().close();
                } catch (IOException e) {
                    LOG.debug("closing a channel failed during shutdown", e);
                }
            }
        }
    }

    /**
     * Replaces the selector by a fresh one holding the same registrations. Called only by the
     * thread that turns the selector, between turns (see the class comment); package-private so
     * that a test can rebuild at will.
     *
     * @return the registrations moved, or -1 if the reactor has shut down or no selector could be opened
     */
    int rebuildSelector() {
        Selector fresh;
        try {
            fresh = Selector.open();
        } catch (IOException e) {
            if (isPowerOfTwo(++failedRebuilds)) {
                LOG.warn("the selector keeps returning early with nothing selected, and a new one could not be opened ({}): "
                        + "this I/O thread spins at full CPU until one can; check the open-file limit (ulimit -n) "
                        + "(failure {}; the next are logged at 2, 4, 8, ... failures)", e.toString(), failedRebuilds, e);
            }
            return -1;
        }
        int moved = 0;
        long stamp = keysLock.writeLock();
        try {
            Selector old = selector;
            if (!old.isOpen()) {
                closeQuietly(fresh);
                return -1;
            }
            for (SelectionKey key : old.keys()) {
                if (!key.isValid()) {
                    continue;
                }
                ScheduledIo io = (ScheduledIo) key.attachment();
                try {
                    int ops = key.interestOps();
                    key.cancel();
                    io.key = key.channel().register(fresh, ops, io);
                    moved++;
                } catch (IOException | CancelledKeyException e) {
                    LOG.debug("dropping a registration while rebuilding the selector", e);
                }
            }
            selector = fresh;
            closeQuietly(old);
        } finally {
            keysLock.unlockWrite(stamp);
        }
        return moved;
    }

    private static boolean isPowerOfTwo(int n) {
        return (n & (n - 1)) == 0;
    }

    private static void closeQuietly(Selector s) {
        try {
            s.close();
        } catch (IOException e) {
            LOG.debug("closing a selector failed", e);
        }
    }

    @Override
    public IoDriverMetrics metrics() {
        return this;
    }

    @Override
    public long registeredCount() {
        return registrations.size();
    }

    @Override
    public long readyCount() {
        return readyEvents;
    }

    @Override
    public long turnCount() {
        return turns;
    }

    @Override
    public long wakeupCount() {
        return wakeups.get();
    }
}
