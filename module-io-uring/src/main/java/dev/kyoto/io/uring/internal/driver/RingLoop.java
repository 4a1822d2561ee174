package dev.kyoto.io.uring.internal.driver;

import dev.kyoto.io.uring.internal.ring.Opcode;
import dev.kyoto.io.uring.internal.ring.Ring;
import dev.kyoto.io.uring.internal.ring.Sqe;
import dev.kyoto.io.uring.internal.sys.LibC;
import dev.kyoto.runtime.spi.DriverHandle;
import dev.kyoto.runtime.spi.RuntimeShutdown;
import dev.kyoto.runtime.spi.WorkerQueue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One ring and the thread that waits in it: the driver's own (for a current-thread runtime, or any
 * thread that parks the driver) or a worker's, one per worker of a multi-thread runtime. Parked in
 * {@code io_uring_enter}, woken through the ring itself by a read of an eventfd that
 * {@link #unpark()} writes. Every socket belongs to one loop, which submits its operations and
 * hands out their completions; any thread may submit to any loop.
 *
 * <p>The ring is cooperative ({@link Ring#openCooperative}): a completion that needs the help of
 * the thread that submitted its operation (a receive retried once its data came) waits for that
 * thread's next system call or timer tick rather than interrupting it, which made the
 * 64-connection echo 1.3 times as fast for three quarters of the CPU. Not
 * {@code DEFER_TASKRUN}, which would make it wait for that thread to enter this ring: a worker
 * stuck in a task never would, and the stall watch, which turns a stuck worker's ring from
 * another thread, could not help its connections.
 *
 * <p>State, and who writes it:
 * <ul>
 *   <li>{@code state} is {@code RUNNING}, {@code PARKED} (a thread waits, or is about to wait, in
 *       the ring) or {@code NOTIFIED} (an unpark came and the next park must return at once).
 *       The parker moves it RUNNING → PARKED → RUNNING; {@link #unpark()} sets NOTIFIED from any
 *       thread and writes the eventfd only if it found PARKED, so a parked thread is woken once
 *       and an idle one costs nothing.</li>
 *   <li>{@code wakeArmed}, {@code edgesArmed}, {@code edgesFired}, {@code turns} and
 *       {@code completions} are the reaping thread's, under
 *       {@code parkLock}: one thread at a time parks or turns the ring (the loop's owner, the
 *       stall watch for a stuck owner, or {@link #closeRing} which must not unmap the ring under
 *       a waiting thread).</li>
 *   <li>The ring's submission side is written under {@code submitLock}; operations queue there
 *       until a park, a {@link #flush()} or a submission from a thread that will not park here
 *       enters them.</li>
 *   <li>Every {@code io_uring_enter} that submits runs under {@code enterLock} (after
 *       {@code submitLock} when both are held), and a park's wait submits nothing: the kernel
 *       serializes submissions on a mutex that its waiters spin on while the holder runs, and a
 *       shared ring spent 12 % of a 1,000-connection server's time spinning there (two workers
 *       submitting hundreds of sends each); a thread that finds this lock taken sleeps instead,
 *       and usually finds its entries submitted by the holder when it gets the lock.</li>
 *   <li>{@code wakeFdLock} keeps the eventfd and the edge poller open while an unpark writes the
 *       one or a stream registers with the other: a write or a registration reaching a closed,
 *       reused descriptor would land in somebody else's file.</li>
 * </ul>
 * Invariant: while a thread waits in the ring, the eventfd read and the poll on the edge poller
 * are in the ring (armed and published before the wait), so an unpark that finds PARKED, and a
 * registered stream's new bytes, always end the wait.
 */
final class RingLoop implements WorkerQueue {
    /** The user data of the eventfd read that wakes the parked thread: slot 0, the driver's own. */
    private static final long WAKE = 1;
    /** The user data of the poll on the {@link EdgePoller}'s descriptor: slot 0, the driver's own. */
    private static final long EDGES = 2;
    private static final int POLLIN = 0x1;
    /**
     * Completions in one turn from which the loop counts as busy, and a stream that receives
     * registers for edges ({@value #EDGES_FROM}; 0 makes every stream use them, a number too
     * large to reach turns them off). Edges take the receives' task work off a busy shared ring:
     * at 1,000 connections they cut the server's sampled CPU per round trip by a fifth (task work
     * 1.2 µs to 0.02, the ring's lock 0.26 to 0.02, for an {@code epoll_wait} of 0.28). An edge
     * costs that {@code epoll_wait} and one more enter before the receive, which a lone
     * connection's latency would pay, so a ring uses them only once a turn reaps 32 completions:
     * on the two-core machine of {@code docs/benchmarks.md} that measured 1.01 to 1.09 times the
     * throughput without edges at 1,000 connections, 0.94 to 1.05 at 64 and 0.99 to 1.00 at one
     * ({@code docs/design-notes.md}).
     */
    static final String EDGES_FROM = "kyoto.io.uring.edgesFrom";
    private static final int BUSY = Integer.getInteger(EDGES_FROM, 32);

    private static final int RUNNING = 0;
    private static final int PARKED = 1;
    private static final int NOTIFIED = 2;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(RingLoop.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final UringDriver driver;
    /** The worker that waits in this ring, or null for the driver's own loop, which any driving thread parks in. */
    private final Thread owner;
    private final Ring ring;
    private final int wakeFd;
    /** The epoll instance this loop's streams are registered with; closed with the eventfd. */
    private final EdgePoller edges;
    /** Freed by the collector, never by hand: the kernel cancels the eventfd read asynchronously as the ring closes. */
    private final Arena arena = Arena.ofAuto();
    /** The eventfd read's destination. */
    private final MemorySegment wakeRead;
    /** The 1 that an unpark writes to the eventfd. */
    private final MemorySegment one;
    private final ReentrantLock submitLock = new ReentrantLock();
    private final ReentrantLock parkLock = new ReentrantLock();
    private final ReentrantLock enterLock = new ReentrantLock();
    private final ReentrantReadWriteLock wakeFdLock = new ReentrantReadWriteLock();
    private final AtomicLong wakeups = new AtomicLong();

    private volatile int state;
    /** Set under all three locks by {@link #closeRing()}. */
    private boolean closed;
    /** Set under {@code wakeFdLock}'s write lock by {@link #closeWakeFd()}, which closes the edge poller too. */
    private boolean wakeFdClosed;
    private boolean wakeArmed;
    /** Whether the poll on the edge poller is in the ring; the reaping thread's, under {@code parkLock}. */
    private boolean edgesArmed;
    /** Whether that poll completed in this turn, so the edge poller is drained after the reap. */
    private boolean edgesFired;
    /** Whether a stream has registered with the edge poller: only then is its poll armed. Set once, by any thread. */
    private volatile boolean edgesInUse;
    /** Completions the last turn reaped; written by the reaping thread, read by streams as they receive. */
    private volatile int lastReaped;
    private volatile long turns;
    private volatile long completions;

    private RingLoop(UringDriver driver, Thread owner, Ring ring, int wakeFd, EdgePoller edges) {
        this.driver = driver;
        this.owner = owner;
        this.ring = ring;
        this.wakeFd = wakeFd;
        this.edges = edges;
        this.wakeRead = arena.allocate(8, 8);
        this.one = arena.allocate(8, 8);
        one.set(ValueLayout.JAVA_LONG, 0, 1L);
    }

    /**
     * Sets up a ring of {@code entries} and the eventfd that wakes it.
     *
     * @param owner the worker that will wait in it, or null for the driver's own loop
     * @throws IOException naming the kernel's reason if either is refused; nothing stays open
     */
    static RingLoop open(UringDriver driver, Thread owner, int entries) throws IOException {
        Ring ring = Ring.openCooperative(entries);
        int fd = LibC.eventfd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        if (fd < 0) {
            IOException e = LibC.failure("eventfd", LibC.errno());
            ring.close();
            throw e;
        }
        EdgePoller edges;
        try {
            edges = EdgePoller.open();
        } catch (IOException e) {
            LibC.close(fd);
            ring.close();
            throw e;
        }
        return new RingLoop(driver, owner, ring, fd, edges);
    }

    @Override
    public void park(long timeoutNanos) {
        parkLock.lock();
        try {
            if (closed || driver.isShut()) {
                return;
            }
            if (!wakeArmed) {
                armWake();
            }
            if (!edgesArmed && edgesInUse) {
                armEdges();
            }
            if (timeoutNanos == 0) {
                STATE.compareAndSet(this, NOTIFIED, RUNNING);
                turn(0, 0);
                return;
            }
            if (!STATE.compareAndSet(this, RUNNING, PARKED)) {
                state = RUNNING;
                turn(0, 0);
                return;
            }
            // See submit(): what another thread queued before it saw PARKED is entered here.
            VarHandle.fullFence();
            try {
                turn(1, timeoutNanos);
            } finally {
                state = RUNNING;
            }
        } finally {
            parkLock.unlock();
        }
    }

    @Override
    public void turnForStalledWorker() {
        if (!parkLock.tryLock()) {
            return;
        }
        try {
            if (!closed && !driver.isShut()) {
                // The stuck owner parks no more: its streams' edges are armed from here meanwhile.
                if (!edgesArmed && edgesInUse) {
                    armEdges();
                }
                turn(0, 0);
            }
        } finally {
            parkLock.unlock();
        }
    }

    /**
     * Submits what is queued, waits for {@code minComplete} completions if positive, then hands out
     * the completions. Submitting and waiting are two system calls when both are due, so that the
     * wait holds no lock: another thread's entries published during it are entered by that thread
     * (it sees {@code PARKED}).
     */
    private void turn(int minComplete, long timeoutNanos) {
        try {
            if (ring.unsubmitted() > 0) {
                enterQueued();
            } else if (minComplete == 0 && ring.taskRunPending()) {
                // Completions this thread owes the ring (it submitted their operations) are
                // posted by any system call it makes; the wait below would post them too.
                ring.await(0, 0);
            }
            if (minComplete > 0) {
                ring.await(minComplete, timeoutNanos);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("unexpected error when polling the io_uring driver", e);
        }
        long reaped = ring.reap(this::complete);
        while (edgesFired) {
            // Streams that waited for bytes submit their receives now; one more enter completes
            // them inline, and their completions are reaped with this turn's.
            edgesFired = false;
            edges.drain(driver::edge);
            if (ring.unsubmitted() > 0) {
                try {
                    enterQueued();
                } catch (IOException e) {
                    throw new UncheckedIOException("unexpected error when polling the io_uring driver", e);
                }
                reaped += ring.reap(this::complete);
            }
        }
        if (ring.overflowed()) {
            try {
                ring.moveOverflow();
            } catch (IOException e) {
                throw new UncheckedIOException("unexpected error when polling the io_uring driver", e);
            }
            reaped += ring.reap(this::complete);
        }
        turns = turns + 1;
        completions = completions + reaped;
        lastReaped = (int) Math.min(reaped, Integer.MAX_VALUE);
    }

    private void complete(long userData, int result, int flags) {
        if (userData == WAKE) {
            wakeArmed = false;
        } else if (userData == EDGES) {
            edgesArmed = false;
            edgesFired = true;
        } else {
            driver.complete(userData, result, flags);
        }
    }

    /** Enters what is queued, under {@code enterLock}: nothing if another thread entered it meanwhile. */
    private void enterQueued() throws IOException {
        enterLock.lock();
        try {
            if (!closed && ring.unsubmitted() > 0) {
                ring.enter(0, 0);
            }
        } finally {
            enterLock.unlock();
        }
    }

    /** Puts the eventfd read in the ring, so that an unpark's write ends the next wait. */
    private void armWake() {
        submitLock.lock();
        try {
            if (ring.prepare(Opcode.READ, wakeFd, wakeRead.address(), 8, 0, WAKE) < 0) {
                ring.publish();
                enterQueued();
                ring.prepare(Opcode.READ, wakeFd, wakeRead.address(), 8, 0, WAKE);
            }
            ring.publish();
            wakeArmed = true;
        } catch (IOException e) {
            throw new UncheckedIOException("unexpected error when submitting to the io_uring driver", e);
        } finally {
            submitLock.unlock();
        }
    }

    /** Puts a poll on the edge poller in the ring, so that a registered stream's bytes end the next wait. */
    private void armEdges() {
        try {
            submit(Opcode.POLL_ADD, edges.fd(), 0, 0, 0, EDGES, POLLIN);
        } catch (IOException e) {
            throw new UncheckedIOException("unexpected error when submitting to the io_uring driver", e);
        }
        edgesArmed = true;
    }

    /**
     * Queues one operation and, if {@code now}, enters the ring before returning, in one critical
     * section: shutdown cannot close the ring between the two, so an operation that was queued
     * has been submitted (a close queued this way has run: the caller must not close the
     * descriptor itself), and one that failed with the shutdown error was never queued.
     *
     * <p>Without {@code now} the next park submits it with everything else queued meanwhile, in
     * one system call, if the calling thread is the one that parks here: the loop's worker, or
     * for the driver's own loop any thread that drives the runtime
     * ({@link DriverHandle#isDriverThread()}), which parks or flushes before it sleeps. Any other
     * thread's operation is entered at once if a thread waits in the ring, since that wait may
     * not end by itself; a running owner enters it at its next turn.
     *
     * @throws IOException the runtime's shutdown error once the driver is shut down
     */
    void submit(byte opcode, int fd, long addr, int len, long off, long userData, int opFlags, boolean now) throws IOException {
        submitLock.lock();
        try {
            if (driver.isShut() || closed) {
                throw RuntimeShutdown.error();
            }
            long sqe = ring.prepare(opcode, fd, addr, len, off, userData);
            if (sqe < 0) {
                ring.publish();
                enterQueued();
                sqe = ring.prepare(opcode, fd, addr, len, off, userData);
            }
            if (opFlags != 0) {
                Sqe.opFlags(ring.sqes(), sqe, opFlags);
            }
            ring.publish();
            // Dekker with park(): the parker stores PARKED, then loads the tail in its enter; this
            // stores the tail, then loads the state. The fences keep both from missing the other.
            VarHandle.fullFence();
            if (now || (state == PARKED && !parksHere())) {
                enterQueued();
            }
        } finally {
            submitLock.unlock();
        }
    }

    /** Queues one operation, for the next park or turn to submit: {@link #submit(byte, int, long, int, long, long, int, boolean)} without {@code now}. */
    void submit(byte opcode, int fd, long addr, int len, long off, long userData, int opFlags) throws IOException {
        submit(opcode, fd, addr, len, off, userData, opFlags, false);
    }

    /** Whether this is one of {@code d}'s loops. */
    boolean belongsTo(UringDriver d) {
        return driver == d;
    }

    /** Whether the calling thread is one that parks in this loop, and so enters what it queues. */
    private boolean parksHere() {
        return owner == null ? DriverHandle.isDriverThread() : Thread.currentThread() == owner;
    }

    /** Enters the ring if anything is queued. */
    void flush() {
        try {
            enterQueued();
        } catch (IOException e) {
            throw new UncheckedIOException("unexpected error when submitting to the io_uring driver", e);
        }
    }

    @Override
    public void unpark() {
        if ((int) STATE.getAndSet(this, NOTIFIED) == PARKED) {
            wakeups.incrementAndGet();
            writeWakeFd();
        }
    }

    private void writeWakeFd() {
        ReentrantReadWriteLock.ReadLock open = wakeFdLock.readLock();
        open.lock();
        try {
            if (!wakeFdClosed) {
                LibC.write(wakeFd, one, 8);
            }
        } finally {
            open.unlock();
        }
    }

    /**
     * Wakes a thread waiting in the ring, then, once no thread is in it, unmaps and closes the ring
     * (the kernel cancels what it still runs); later submissions fail with the shutdown error.
     */
    void closeRing() {
        writeWakeFd();
        parkLock.lock();
        try {
            submitLock.lock();
            enterLock.lock();
            try {
                closed = true;
                ring.close();
            } finally {
                enterLock.unlock();
                submitLock.unlock();
            }
        } finally {
            parkLock.unlock();
        }
    }

    /**
     * Registers a stream's socket with this loop's edge poller ({@link EdgePoller#register}):
     * false if the kernel refuses or the driver has shut down, and the stream then receives
     * without edges. Under {@code wakeFdLock}, so that a registration never reaches a descriptor
     * number that shutdown closed and the process reused.
     */
    boolean registerEdges(int fd, int slot) {
        ReentrantReadWriteLock.ReadLock open = wakeFdLock.readLock();
        open.lock();
        try {
            if (wakeFdClosed || !edges.register(fd, slot)) {
                return false;
            }
            edgesInUse = true;
            // A thread parked before the first registration has no poll on the edge poller in
            // its ring yet: woken, it parks again and arms it.
            if (state == PARKED) {
                unpark();
            }
            return true;
        } finally {
            open.unlock();
        }
    }

    /** Whether the last turn reaped enough completions for a stream to receive through edges. */
    boolean busy() {
        return lastReaped >= BUSY;
    }

    /** Closes the eventfd and the edge poller, after {@link #closeRing()}: no unpark writes the first any more. */
    void closeWakeFd() {
        ReentrantReadWriteLock.WriteLock closing = wakeFdLock.writeLock();
        closing.lock();
        try {
            if (!wakeFdClosed) {
                wakeFdClosed = true;
                LibC.close(wakeFd);
                edges.close();
            }
        } finally {
            closing.unlock();
        }
    }

    long turnCount() {
        return turns;
    }

    long completionCount() {
        return completions;
    }

    long wakeupCount() {
        return wakeups.get();
    }
}
