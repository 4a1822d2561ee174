package dev.kyoto.io.uring.internal.driver;

import dev.kyoto.io.spi.ChannelHost;
import dev.kyoto.io.spi.CompanionSelector;
import dev.kyoto.io.spi.ConnectingSocket;
import dev.kyoto.io.spi.ListenerSocket;
import dev.kyoto.io.spi.SocketDriver;
import dev.kyoto.io.spi.StreamSocket;
import dev.kyoto.io.uring.internal.ring.Opcode;
import dev.kyoto.io.uring.internal.ring.Ring;
import dev.kyoto.io.uring.internal.ring.Sqe;
import dev.kyoto.io.uring.internal.sys.LibC;
import dev.kyoto.io.uring.internal.sys.Sockets;
import dev.kyoto.runtime.spi.DriverHandle;
import dev.kyoto.runtime.spi.IoDriver;
import dev.kyoto.runtime.spi.IoDriverMetrics;
import dev.kyoto.runtime.spi.RuntimeShutdown;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The io_uring I/O driver: one ring per runtime, parked in {@code io_uring_enter}, woken through
 * the ring itself by a read of an eventfd that {@link #unpark()} writes; a {@link SocketDriver}
 * whose TCP listeners and streams ({@link UringListener}, {@link UringStream}) are driven by
 * completions; and a {@link ChannelHost} whose companion selector serves the {@code java.nio}
 * channels that {@code dev.kyoto.io.PollEvented} registers.
 *
 * <p>State, and who writes it:
 * <ul>
 *   <li>{@code state} is {@code RUNNING}, {@code PARKED} (a thread waits, or is about to wait, in
 *       the ring) or {@code NOTIFIED} (an unpark came and the next park must return at once).
 *       The parker moves it RUNNING → PARKED → RUNNING; {@link #unpark()} sets NOTIFIED from any
 *       thread and writes the eventfd only if it found PARKED, so a parked thread is woken once
 *       and an idle one costs nothing.</li>
 *   <li>{@code wakeArmed}, {@code turns} and {@code completions} are the parker's: one thread at a
 *       time parks (the runtime's driver lock), and {@code parkLock} makes that so for
 *       {@link #shutdown()} too, which must not unmap the ring under a waiting thread.</li>
 *   <li>The ring's submission side is written under {@code submitLock}; operations queue there
 *       until a park, a {@link #flush()} or a non-driving thread's submission enters them.</li>
 *   <li>The socket table ({@code sockets}, {@code freeSlots}, {@code live}) is written under
 *       {@code tableLock}; the reaping thread reads its slots with acquire loads.</li>
 *   <li>{@code wakeFdLock} keeps the eventfd open while an unpark writes it: a write to a closed,
 *       reused descriptor would land in somebody else's file.</li>
 * </ul>
 * Invariant: while a thread waits in the ring, the eventfd read is in the ring (armed and
 * published before the wait), so an unpark that finds PARKED always ends the wait.
 */
public final class UringDriver implements IoDriver, ChannelHost, SocketDriver, IoDriverMetrics {
    /**
     * The submission ring's size (the completion ring has twice as many): room for a receive and a
     * send on each of 2,048 busy connections in one turn. Submissions beyond it are entered early,
     * never lost, and completions beyond the completion ring wait in the kernel until moved in.
     */
    static final int ENTRIES = 4096;
    /** The name of the companion selector's thread. */
    static final String COMPANION_THREAD = "kyoto-io_uring-nio";
    /** The user data of the eventfd read that wakes the parked thread: slot 0, the driver's own. */
    private static final long WAKE = 1;
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(UringSocket[].class);

    private static final int RUNNING = 0;
    private static final int PARKED = 1;
    private static final int NOTIFIED = 2;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(UringDriver.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Ring ring;
    private final int wakeFd;
    /** Freed by the collector, never by hand: the kernel cancels the eventfd read asynchronously as the ring closes. */
    private final Arena arena = Arena.ofAuto();
    /** The eventfd read's destination. */
    private final MemorySegment wakeRead;
    /** The 1 that an unpark writes to the eventfd. */
    private final MemorySegment one;
    private final ReentrantLock submitLock = new ReentrantLock();
    private final ReentrantLock parkLock = new ReentrantLock();
    private final ReentrantReadWriteLock wakeFdLock = new ReentrantReadWriteLock();
    private final AtomicLong wakeups = new AtomicLong();
    private final Object companionLock = new Object();
    private final NativeBuffers buffers = new NativeBuffers();
    /** Guards the socket table's slots and free list; the array is read without it. */
    private final Object tableLock = new Object();
    /**
     * The sockets by slot; slot 0 is the driver's own. Replaced by a larger copy when full, under
     * {@code tableLock}; elements are published with release stores before the socket submits
     * anything, and read with acquire loads by the reaping thread.
     */
    private volatile UringSocket[] sockets = new UringSocket[64];
    private int[] freeSlots = new int[64];
    private int freeCount;
    private int nextSlot = 1;
    private int live;

    private volatile int state;
    private volatile boolean shut;
    private boolean wakeArmed;
    private long turns;
    private long completions;
    /** Set once, as the driver opens; read under {@code companionLock} against shutdown. */
    private IoDriver companion;

    private UringDriver(Ring ring, int wakeFd) {
        this.ring = ring;
        this.wakeFd = wakeFd;
        this.wakeRead = arena.allocate(8, 8);
        this.one = arena.allocate(8, 8);
        one.set(ValueLayout.JAVA_LONG, 0, 1L);
    }

    /**
     * Sets up the ring and the eventfd that wakes it.
     *
     * @throws IOException naming the kernel's reason if either is refused; nothing stays open
     */
    public static UringDriver open() throws IOException {
        Ring ring = Ring.open(ENTRIES, 0);
        int fd = LibC.eventfd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        if (fd < 0) {
            IOException e = LibC.failure("eventfd", LibC.errno());
            ring.close();
            throw e;
        }
        UringDriver driver = new UringDriver(ring, fd);
        try {
            // Opened with the driver, not on first use: a runtime's descriptors and threads are
            // then all there when build() returns, as on the selector driver, and none appears
            // in the middle of a run.
            driver.companion = CompanionSelector.start(COMPANION_THREAD);
        } catch (IOException | RuntimeException e) {
            driver.shutdown();
            throw e;
        }
        return driver;
    }

    @Override
    public void park(long timeoutNanos) {
        parkLock.lock();
        try {
            if (shut) {
                return;
            }
            if (!wakeArmed) {
                armWake();
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

    /** Enters the ring if there is anything to submit or to wait for, then hands out the completions. */
    private void turn(int minComplete, long timeoutNanos) {
        try {
            if (minComplete > 0 || ring.unsubmitted() > 0) {
                ring.enter(minComplete, timeoutNanos);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("unexpected error when polling the io_uring driver", e);
        }
        turns++;
        completions += ring.reap(this::complete);
        if (ring.overflowed()) {
            try {
                ring.moveOverflow();
            } catch (IOException e) {
                throw new UncheckedIOException("unexpected error when polling the io_uring driver", e);
            }
            completions += ring.reap(this::complete);
        }
    }

    private void complete(long userData, int result, int flags) {
        int slot = (int) (userData >>> 4);
        if (slot == 0) {
            if (userData == WAKE) {
                wakeArmed = false;
            }
            return;
        }
        UringSocket socket = (UringSocket) SLOTS.getAcquire(sockets, slot);
        if (socket != null) {
            socket.complete((int) (userData & 15), result, flags);
        }
    }

    /** Puts the eventfd read in the ring, so that an unpark's write ends the next wait. */
    private void armWake() {
        submitLock.lock();
        try {
            if (ring.prepare(Opcode.READ, wakeFd, wakeRead.address(), 8, 0, WAKE) < 0) {
                ring.publish();
                ring.enter(0, 0);
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

    /**
     * Queues one operation: the next park submits it with everything else queued meanwhile, in
     * one system call. A thread that drives the runtime ({@link DriverHandle#isDriverThread()})
     * parks on this driver or flushes it before it sleeps, so its operations wait for that. Any
     * other thread's would wait for a park that may not come while a worker waits in the ring:
     * those are entered at once when a thread is waiting.
     *
     * @throws IOException the runtime's shutdown error once the driver is shut down
     */
    void submit(byte opcode, int fd, long addr, int len, long off, long userData, int opFlags) throws IOException {
        submit(opcode, fd, addr, len, off, userData, opFlags, false);
    }

    /**
     * Queues one operation and, if {@code now}, enters the ring before returning, in one critical
     * section: shutdown cannot close the ring between the two, so an operation that was queued
     * has been submitted (a close queued this way has run: the caller must not close the
     * descriptor itself), and one that failed with the shutdown error was never queued.
     */
    void submit(byte opcode, int fd, long addr, int len, long off, long userData, int opFlags, boolean now) throws IOException {
        submitLock.lock();
        try {
            if (shut) {
                throw RuntimeShutdown.error();
            }
            long sqe = ring.prepare(opcode, fd, addr, len, off, userData);
            if (sqe < 0) {
                ring.publish();
                ring.enter(0, 0);
                sqe = ring.prepare(opcode, fd, addr, len, off, userData);
            }
            if (opFlags != 0) {
                Sqe.opFlags(ring.sqes(), sqe, opFlags);
            }
            ring.publish();
            // Dekker with park(): the parker stores PARKED, then loads the tail in its enter; this
            // stores the tail, then loads the state. The fences keep both from missing the other.
            VarHandle.fullFence();
            if (now || (state == PARKED && !DriverHandle.isDriverThread())) {
                ring.enter(0, 0);
            }
        } finally {
            submitLock.unlock();
        }
    }

    /** Enters the ring if anything is queued: the runtime's thread stops driving it for now. */
    @Override
    public void flush() {
        submitLock.lock();
        try {
            if (!shut && ring.unsubmitted() > 0) {
                ring.enter(0, 0);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("unexpected error when submitting to the io_uring driver", e);
        } finally {
            submitLock.unlock();
        }
    }

    /** The native chunks that sockets receive into and send from. */
    NativeBuffers buffers() {
        return buffers;
    }

    @Override
    public ListenerSocket listen(InetSocketAddress local, int backlog) throws IOException {
        int fd = Sockets.listen(local, backlog);
        try {
            UringListener listener = new UringListener(this, fd, Sockets.localAddress(fd));
            register(listener);
            return listener;
        } catch (IOException | RuntimeException e) {
            LibC.close(fd);
            throw e;
        }
    }

    @Override
    public ConnectingSocket connect(InetSocketAddress remote) throws IOException {
        int fd = Sockets.tcpSocket(remote);
        UringConnect connect = new UringConnect(this, fd, remote);
        try {
            register(connect);
        } catch (IOException | RuntimeException e) {
            LibC.close(fd);
            throw e;
        }
        try {
            connect.start();
        } catch (IOException | RuntimeException e) {
            connect.close();
            throw e;
        }
        return connect;
    }

    /** A stream over a connected descriptor (accepted, or connected by a {@link UringConnect}) whose peer is {@code peer}. */
    StreamSocket adopt(int fd, InetSocketAddress peer) throws IOException {
        UringStream stream = new UringStream(this, fd, peer);
        try {
            register(stream);
        } catch (IOException | RuntimeException e) {
            buffers.give(stream.recvBuffer());
            throw e;
        }
        return stream;
    }

    /** Gives {@code socket} a slot. */
    private void register(UringSocket socket) throws IOException {
        synchronized (tableLock) {
            if (shut) {
                throw RuntimeShutdown.error();
            }
            int slot;
            if (freeCount > 0) {
                slot = freeSlots[--freeCount];
            } else {
                slot = nextSlot++;
                if (slot == sockets.length) {
                    sockets = Arrays.copyOf(sockets, slot * 2);
                    freeSlots = Arrays.copyOf(freeSlots, slot * 2);
                }
            }
            socket.slot = slot;
            SLOTS.setRelease(sockets, slot, socket);
            live++;
        }
    }

    /** Takes back the slot of a socket whose last operation has completed. */
    void release(UringSocket socket) {
        synchronized (tableLock) {
            SLOTS.setRelease(sockets, socket.slot, (UringSocket) null);
            freeSlots[freeCount++] = socket.slot;
            live--;
        }
    }

    @Override
    public void unpark() {
        if ((int) STATE.getAndSet(this, NOTIFIED) == PARKED) {
            wakeups.incrementAndGet();
            ReentrantReadWriteLock.ReadLock open = wakeFdLock.readLock();
            open.lock();
            try {
                if (!shut) {
                    LibC.write(wakeFd, one, 8);
                }
            } finally {
                open.unlock();
            }
        }
    }

    @Override
    public IoDriver channelDriver() throws IOException {
        synchronized (companionLock) {
            if (shut) {
                throw RuntimeShutdown.error();
            }
            return companion;
        }
    }

    /**
     * Shuts down: the companion's waiters wake to the shutdown error and its channels close; a
     * thread parked in the ring is woken; then, once no thread is in the ring, the ring is unmapped
     * and closed (the kernel cancels what it still runs) and the eventfd is closed.
     */
    @Override
    public void shutdown() {
        IoDriver c;
        synchronized (companionLock) {
            if (shut) {
                return;
            }
            shut = true;
            c = companion;
        }
        if (c != null) {
            c.shutdown();
        }
        ReentrantReadWriteLock.ReadLock open = wakeFdLock.readLock();
        open.lock();
        try {
            LibC.write(wakeFd, one, 8);
        } finally {
            open.unlock();
        }
        parkLock.lock();
        try {
            submitLock.lock();
            try {
                ring.close();
            } finally {
                submitLock.unlock();
            }
        } finally {
            parkLock.unlock();
        }
        // With the ring closed no operation can name a descriptor any more: each socket's
        // waiters wake to the shutdown error and its descriptor is closed directly, as the
        // selector driver closes the channels still registered at shutdown.
        List<UringSocket> live = new ArrayList<>();
        synchronized (tableLock) {
            for (UringSocket s : sockets) {
                if (s != null) {
                    live.add(s);
                }
            }
        }
        for (UringSocket s : live) {
            s.shutDown();
        }
        ReentrantReadWriteLock.WriteLock closing = wakeFdLock.writeLock();
        closing.lock();
        try {
            LibC.close(wakeFd);
        } finally {
            closing.unlock();
        }
    }

    @Override
    public IoDriverMetrics metrics() {
        return this;
    }

    @Override
    public long registeredCount() {
        int sockets;
        synchronized (tableLock) {
            sockets = live;
        }
        IoDriver c = companionOrNull();
        return sockets + (c == null ? 0 : c.metrics().registeredCount());
    }

    @Override
    public long readyCount() {
        IoDriver c = companionOrNull();
        return completions + (c == null ? 0 : c.metrics().readyCount());
    }

    @Override
    public long turnCount() {
        return turns;
    }

    @Override
    public long wakeupCount() {
        return wakeups.get();
    }

    private IoDriver companionOrNull() {
        synchronized (companionLock) {
            return companion;
        }
    }
}
