package dev.kyoto.io.uring.internal.driver;

import dev.kyoto.io.spi.ChannelHost;
import dev.kyoto.io.spi.CompanionSelector;
import dev.kyoto.io.spi.ConnectingSocket;
import dev.kyoto.io.spi.DatagramSocket;
import dev.kyoto.io.spi.ListenerSocket;
import dev.kyoto.io.spi.SocketDriver;
import dev.kyoto.io.spi.StreamSocket;
import dev.kyoto.io.spi.UnconnectedSocket;
import dev.kyoto.io.uring.internal.sys.Datagrams;
import dev.kyoto.io.uring.internal.sys.LibC;
import dev.kyoto.io.uring.internal.sys.SocketAddresses;
import dev.kyoto.io.uring.internal.sys.Sockets;
import dev.kyoto.runtime.spi.IoDriver;
import dev.kyoto.runtime.spi.IoDriverMetrics;
import dev.kyoto.runtime.spi.RuntimeShutdown;
import dev.kyoto.runtime.spi.WorkerQueue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The io_uring I/O driver: rings parked in {@code io_uring_enter} ({@link RingLoop}), one of the
 * driver's own and, in a multi-thread runtime, one per worker ({@link #attachWorker()}); a
 * {@link SocketDriver} whose TCP listeners and streams ({@link UringListener},
 * {@link UringStream}) are driven by completions; and a {@link ChannelHost} whose companion
 * selector serves the {@code java.nio} channels that {@code dev.kyoto.io.PollEvented} registers.
 *
 * <p>Rings per worker are chosen with {@value #RING_PER_WORKER} (off by default: on the
 * two-core machine of {@code docs/benchmarks.md} they lose to the shared, cooperative ring at 64
 * connections, where two workers each wake for their own connections and one did, and at
 * 1,000). A ring per worker lets
 * each worker submit and wait without sharing the ring's lock, in user space or in the kernel (a
 * shared ring spent 10 % of a 1,000-connection server's time spinning on the kernel's). Each
 * socket then belongs to one loop for its life: the worker's own for a listener or connect made
 * on a worker, the next in turn for an accepted stream, so connections spread over the workers;
 * the task that serves a socket moves to its loop's worker with the first completion that wakes
 * it, and a task stolen away submits to the socket's loop from wherever it runs.
 *
 * <p>State, and who writes it:
 * <ul>
 *   <li>{@code workers} is replaced, under {@code loopsLock}, by a copy with one more loop as each
 *       worker attaches, before its runtime is handed out; sockets are assigned from it.</li>
 *   <li>With rings per worker, {@code holder} is the loop that the runtime's driver park waits
 *       in, while it does (the parking thread's own), and {@code notified} says an
 *       {@link #unpark()} came for that park: the parker publishes {@code holder}, then takes
 *       {@code notified}; the unparker sets {@code notified}, then reads {@code holder} and wakes
 *       it, so one of them sees the other.</li>
 *   <li>The socket table ({@code sockets}, {@code freeSlots}, {@code live}) is written under
 *       {@code tableLock}; the reaping threads read its slots with acquire loads.</li>
 * </ul>
 */
public final class UringDriver implements IoDriver, ChannelHost, SocketDriver, IoDriverMetrics {
    /**
     * Each ring's submission size (the completion ring has twice as many): room for a receive and
     * a send on each of 2,048 busy connections in one turn. Submissions beyond it are entered
     * early, never lost, and completions beyond the completion ring wait in the kernel until moved in.
     */
    static final int ENTRIES = 4096;
    /** The name of the companion selector's thread. */
    static final String COMPANION_THREAD = "kyoto-io_uring-nio";
    private static final int IPV6_V6ONLY = 26;
    private static final int IPV6_MULTICAST_ALL = 29;
    private static final int IP_MULTICAST_ALL = 49;
    /** The system property that gives each worker of a multi-thread runtime a ring of its own when {@code true}. */
    public static final String RING_PER_WORKER = "kyoto.io.uring.ringPerWorker";
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(UringSocket[].class);
    private static final VarHandle NOTIFIED;
    /** Each worker thread's own loop, set as it attaches. */
    private static final ThreadLocal<RingLoop> OWN_LOOP = new ThreadLocal<>();

    static {
        try {
            NOTIFIED = MethodHandles.lookup().findVarHandle(UringDriver.class, "notified", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final RingLoop main;
    private final boolean ringPerWorker;
    private final Object loopsLock = new Object();
    private volatile RingLoop[] workers = new RingLoop[0];
    private final AtomicInteger nextLoop = new AtomicInteger();
    private volatile RingLoop holder;
    private volatile boolean notified;
    private final Object companionLock = new Object();
    private final NativeBuffers buffers = new NativeBuffers();
    /** Guards the socket table's slots and free list; the array is read without it. */
    private final Object tableLock = new Object();
    /**
     * The sockets by slot; slot 0 is the driver's own. Replaced by a larger copy when full, under
     * {@code tableLock}; elements are published with release stores before the socket submits
     * anything, and read with acquire loads by the reaping threads.
     */
    private volatile UringSocket[] sockets = new UringSocket[64];
    private int[] freeSlots = new int[64];
    private int freeCount;
    private int nextSlot = 1;
    private int live;

    private volatile boolean shut;
    /** Whether any socket of this driver was ever given a positive {@code SO_LINGER}: only then do closes look for one. */
    private volatile boolean lingerSet;
    /** Set once, as the driver opens; read under {@code companionLock} against shutdown. */
    private IoDriver companion;

    private UringDriver(boolean ringPerWorker) throws IOException {
        this.ringPerWorker = ringPerWorker;
        this.main = RingLoop.open(this, null, ENTRIES);
    }

    /**
     * Sets up the driver's own ring and the companion selector; workers get rings of their own if
     * the system property {@value #RING_PER_WORKER} is {@code true}.
     *
     * @throws IOException naming the kernel's reason if the ring is refused; nothing stays open
     */
    public static UringDriver open() throws IOException {
        return open(Boolean.getBoolean(RING_PER_WORKER));
    }

    /**
     * Sets up the driver's own ring and the companion selector.
     *
     * @param ringPerWorker whether each worker that attaches gets a ring of its own
     * @throws IOException naming the kernel's reason if the ring is refused; nothing stays open
     */
    static UringDriver open(boolean ringPerWorker) throws IOException {
        UringDriver driver = new UringDriver(ringPerWorker);
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

    /**
     * Gives the calling worker a ring of its own, which it waits in and its sockets are served by,
     * when rings per worker are chosen; none to a virtual thread even then: its wait in
     * {@code io_uring_enter} would pin its carrier, and workers that all did would leave no
     * carrier for the virtual threads they wait for. Virtual workers share the driver's ring, as
     * on the selector, where one pins a carrier at a time.
     */
    @Override
    public WorkerQueue attachWorker() {
        if (!ringPerWorker || Thread.currentThread().isVirtual()) {
            return null;
        }
        synchronized (loopsLock) {
            if (shut) {
                throw new IllegalStateException("the io_uring driver is shut down");
            }
            RingLoop loop;
            try {
                loop = RingLoop.open(this, Thread.currentThread(), ENTRIES);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            RingLoop[] more = Arrays.copyOf(workers, workers.length + 1);
            more[more.length - 1] = loop;
            workers = more;
            OWN_LOOP.set(loop);
            return loop;
        }
    }

    /** The calling thread's loop: its own if it is one of this driver's workers, else the driver's. */
    private RingLoop ownLoop() {
        RingLoop own = OWN_LOOP.get();
        return own != null && own.belongsTo(this) ? own : main;
    }

    /** The loop a new listener or connect belongs to: the calling worker's own, else the next in turn. */
    private RingLoop loopHere() {
        RingLoop own = ownLoop();
        return own != main ? own : nextLoop();
    }

    /** The next worker's loop in turn (the driver's own if there are no workers), for a new accepted stream. */
    RingLoop nextLoop() {
        RingLoop[] w = workers;
        return w.length == 0 ? main : w[Math.floorMod(nextLoop.getAndIncrement(), w.length)];
    }

    /** Notes that {@code value} was set as {@code name} on one of this driver's sockets. */
    void optionSet(SocketOption<?> name, Object value) {
        if (name == StandardSocketOptions.SO_LINGER && (Integer) value > 0) {
            lingerSet = true;
        }
    }

    /** Whether a close must look for a positive {@code SO_LINGER} to turn off. */
    boolean mayLinger() {
        return lingerSet;
    }

    boolean isShut() {
        return shut;
    }

    /**
     * Parks in the calling thread's loop. With one ring the driver's own loop is the only place
     * to park, and its own state carries an unpark to the next park; only with rings per worker,
     * where the next holder may wait in another ring, does the driver keep {@code holder} and
     * {@code notified} (which cost a fence per park and per unpark, and a turn that does not
     * wait after an unpark that found the holder waiting).
     */
    @Override
    public void park(long timeoutNanos) {
        if (!ringPerWorker) {
            main.park(timeoutNanos);
            return;
        }
        RingLoop loop = ownLoop();
        holder = loop;
        VarHandle.fullFence();
        if ((boolean) NOTIFIED.getAndSet(this, false)) {
            timeoutNanos = 0;
        }
        try {
            loop.park(timeoutNanos);
        } finally {
            holder = null;
        }
    }

    @Override
    public void unpark() {
        if (!ringPerWorker) {
            main.unpark();
            return;
        }
        notified = true;
        VarHandle.fullFence();
        RingLoop h = holder;
        if (h != null) {
            h.unpark();
        }
    }

    /** Enters what the calling thread's loop has queued: the thread stops driving the runtime for now. */
    @Override
    public void flush() {
        ownLoop().flush();
    }

    /** Hands a completion to the socket its user data names ({@code slot << 4 | kind}); on the reaping thread. */
    void complete(long userData, int result, int flags) {
        int slot = (int) (userData >>> 4);
        if (slot == 0) {
            return;
        }
        UringSocket socket = (UringSocket) SLOTS.getAcquire(sockets, slot);
        if (socket != null) {
            socket.complete((int) (userData & 15), result, flags);
        }
    }

    /** An edge the loop's {@link EdgePoller} reported for the stream in {@code slot}; on the reaping thread. */
    void edge(int slot, boolean ended) {
        if (SLOTS.getAcquire(sockets, slot) instanceof UringStream stream) {
            stream.edge(ended);
        }
    }

    /** The native chunks that sockets receive into and send from. */
    NativeBuffers buffers() {
        return buffers;
    }

    @Override
    public ListenerSocket listen(SocketAddress local, int backlog) throws IOException {
        if (isShut()) {
            throw RuntimeShutdown.error();
        }
        if (local instanceof UnixDomainSocketAddress unix) {
            int fd = Sockets.listen(unix, backlog);
            try {
                return listening(fd);
            } catch (IOException | RuntimeException e) {
                // Refused after its bind (the driver shut meanwhile): the file goes with the socket.
                Sockets.unlinkBound(unix, e);
                throw e;
            }
        }
        return listening(Sockets.listen((InetSocketAddress) local, backlog));
    }

    /** A listener over {@code fd}, which listens already; closes {@code fd} if it cannot take it. */
    ListenerSocket listening(int fd) throws IOException {
        try {
            UringListener listener = new UringListener(this, loopHere(), fd, Sockets.boundAddress(fd));
            register(listener);
            return listener;
        } catch (IOException | RuntimeException e) {
            LibC.close(fd);
            throw e;
        }
    }

    @Override
    public ConnectingSocket connect(SocketAddress remote) throws IOException {
        if (isShut()) {
            throw RuntimeShutdown.error();
        }
        return connecting(Sockets.socket(SocketAddresses.family(remote), Sockets.SOCK_STREAM), remote);
    }

    @Override
    public UnconnectedSocket open(ProtocolFamily family) throws IOException {
        short af;
        if (family == StandardProtocolFamily.INET) {
            af = SocketAddresses.AF_INET;
        } else if (family == StandardProtocolFamily.INET6) {
            af = SocketAddresses.AF_INET6;
        } else {
            throw new IllegalArgumentException("a TCP socket is IPv4 or IPv6, not " + family);
        }
        if (isShut()) {
            throw RuntimeShutdown.error();
        }
        return new UringUnconnectedSocket(this, Sockets.tcpSocket(af));
    }

    /**
     * Opens a UDP socket as the JDK's {@code DatagramChannel} is opened (an IPv6 one dual-stack,
     * neither receiving multicast for groups only other sockets joined) and binds it; or a
     * Unix-domain datagram socket, bound unless the path is empty.
     */
    @Override
    public DatagramSocket bindDatagram(SocketAddress local) throws IOException {
        if (isShut()) {
            throw RuntimeShutdown.error();
        }
        if (local instanceof UnixDomainSocketAddress unix) {
            int fd = Sockets.socket(SocketAddresses.AF_UNIX, Sockets.SOCK_DGRAM);
            boolean bound = false;
            try {
                if (!unix.getPath().toString().isEmpty()) {
                    Sockets.bind(fd, unix);
                    bound = true;
                }
                return datagram(fd, SocketAddresses.AF_UNIX);
            } catch (IOException | RuntimeException e) {
                LibC.close(fd);
                if (bound) {
                    Sockets.unlinkBound(unix, e);
                }
                throw e;
            }
        }
        InetSocketAddress inet = (InetSocketAddress) local;
        short af = SocketAddresses.family(inet);
        int fd = Sockets.socket(af, Sockets.SOCK_DGRAM);
        try {
            if (af == SocketAddresses.AF_INET6) {
                Sockets.setOption(fd, Sockets.IPPROTO_IPV6, IPV6_V6ONLY, 0);
                Sockets.setOption(fd, Sockets.IPPROTO_IPV6, IPV6_MULTICAST_ALL, 0);
            } else {
                Sockets.setOption(fd, Sockets.IPPROTO_IP, IP_MULTICAST_ALL, 0);
            }
            Sockets.bind(fd, inet);
            return datagram(fd, af);
        } catch (IOException | RuntimeException e) {
            LibC.close(fd);
            throw e;
        }
    }

    @Override
    public List<DatagramSocket> unixDatagramPair() throws IOException {
        if (isShut()) {
            throw RuntimeShutdown.error();
        }
        int[] fds = Datagrams.unixPair();
        DatagramSocket first;
        try {
            first = datagram(fds[0], SocketAddresses.AF_UNIX);
        } catch (IOException | RuntimeException e) {
            LibC.close(fds[0]);
            LibC.close(fds[1]);
            throw e;
        }
        try {
            return List.of(first, datagram(fds[1], SocketAddresses.AF_UNIX));
        } catch (IOException | RuntimeException e) {
            first.close();
            LibC.close(fds[1]);
            throw e;
        }
    }

    /** A datagram socket over {@code fd}, given a slot; the caller closes {@code fd} if this fails. */
    private UringDatagram datagram(int fd, short family) throws IOException {
        UringDatagram socket = new UringDatagram(this, loopHere(), fd, family);
        register(socket);
        return socket;
    }

    /** Starts connecting {@code fd} (open, perhaps bound) to {@code remote}; closes {@code fd} if it cannot. */
    ConnectingSocket connecting(int fd, SocketAddress remote) throws IOException {
        UringConnect connect = new UringConnect(this, loopHere(), fd, remote);
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

    /**
     * A stream over a connected descriptor (accepted, or connected by a {@link UringConnect}) whose
     * peer is {@code peer}, served by {@code loop}.
     */
    StreamSocket adopt(RingLoop loop, int fd, SocketAddress peer) throws IOException {
        UringStream stream = new UringStream(this, loop, fd, peer);
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
    public IoDriver channelDriver() throws IOException {
        synchronized (companionLock) {
            if (shut) {
                throw RuntimeShutdown.error();
            }
            return companion;
        }
    }

    /**
     * Shuts down: the companion's waiters wake to the shutdown error and its channels close; each
     * ring's waiting thread is woken, and once none is in it the ring is unmapped and closed (the
     * kernel cancels what it still runs); then every socket is shut down and the eventfds closed.
     */
    @Override
    public void shutdown() {
        IoDriver c;
        RingLoop[] w;
        synchronized (companionLock) {
            if (shut) {
                return;
            }
            shut = true;
            c = companion;
        }
        synchronized (loopsLock) {
            w = workers;
        }
        if (c != null) {
            c.shutdown();
        }
        main.closeRing();
        for (RingLoop loop : w) {
            loop.closeRing();
        }
        // With the rings closed no operation can name a descriptor any more: each socket's
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
        main.closeWakeFd();
        for (RingLoop loop : w) {
            loop.closeWakeFd();
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
        long completions = main.completionCount();
        for (RingLoop loop : workers) {
            completions += loop.completionCount();
        }
        IoDriver c = companionOrNull();
        return completions + (c == null ? 0 : c.metrics().readyCount());
    }

    @Override
    public long turnCount() {
        long turns = main.turnCount();
        for (RingLoop loop : workers) {
            turns += loop.turnCount();
        }
        return turns;
    }

    @Override
    public long wakeupCount() {
        long wakeups = main.wakeupCount();
        for (RingLoop loop : workers) {
            wakeups += loop.wakeupCount();
        }
        return wakeups;
    }

    private IoDriver companionOrNull() {
        synchronized (companionLock) {
            return companion;
        }
    }
}
