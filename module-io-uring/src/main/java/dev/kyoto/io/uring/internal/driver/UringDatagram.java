package dev.kyoto.io.uring.internal.driver;

import dev.kyoto.io.Interest;
import dev.kyoto.io.Ready;
import dev.kyoto.io.spi.DatagramSocket;
import dev.kyoto.io.uring.internal.ring.Opcode;
import dev.kyoto.io.uring.internal.sys.Datagrams;
import dev.kyoto.io.uring.internal.sys.LibC;
import dev.kyoto.io.uring.internal.sys.SocketAddresses;
import dev.kyoto.io.uring.internal.sys.Sockets;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.Waker;
import dev.kyoto.runtime.spi.RuntimeShutdown;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A datagram socket, UDP or Unix-domain, driven by readiness: a receive or send is one system
 * call that does not wait, and a task that finds nothing to do waits for a {@code POLL_ADD} in
 * the ring to say the socket is ready again, as on a selector. A receive in flight, as streams
 * have, would need a chunk per socket and a copy, and peeks and receivers with buffers of other
 * sizes would each want their own; here the caller's buffer takes the datagram.
 *
 * <p>All state is guarded by this object's monitor. It is written by the tasks that receive,
 * send and wait (any worker thread) and by {@link #complete}, on the thread that reaps the ring.
 * Wakers are called after the monitor is released. Invariants: {@code readable} is false until a
 * poll reports the socket readable, and again once a receive finds it empty, and while it is
 * false a receive does not call the kernel unless a poll reported an error (a wait arms a poll
 * instead); {@code writable} the same for a full send buffer, but true at first; at most one
 * poll of each kind is in flight, counted in {@code inFlight}; while {@code inFlight} is zero no
 * queued operation names the descriptor, which may then be closed directly.
 */
final class UringDatagram extends UringSocket implements DatagramSocket, ReadinessWaits.Source {
    static final int POLL_IN = 1;
    static final int POLL_OUT = 2;
    static final int POLL_ERR = 3;
    private static final int POLLIN = 0x1;
    private static final int POLLOUT = 0x4;
    private static final int POLLERR = 0x8;
    private static final int EAGAIN = 11;
    private static final int EMSGSIZE = 90;
    private static final int IP_ADD_MEMBERSHIP = 35;
    private static final int IP_DROP_MEMBERSHIP = 36;
    private static final int IPV6_ADD_MEMBERSHIP = 20;
    private static final int IPV6_DROP_MEMBERSHIP = 21;
    private static final int MCAST_BLOCK_SOURCE = 43;
    private static final int MCAST_UNBLOCK_SOURCE = 44;
    /** {@code sizeof(struct group_source_req)}: the interface index, then the group's and the source's {@code sockaddr_storage}, 8-aligned. */
    private static final int GROUP_SOURCE_REQ = 264;

    /** {@code AF_INET}, {@code AF_INET6} or {@code AF_UNIX}: how addresses are written for this socket. */
    private final short family;
    private boolean readable;
    private boolean writable = true;
    /** A poll reported {@code POLLERR} and no operation has taken the error since. */
    private boolean errored;
    private boolean pollInInFlight;
    private boolean pollOutInFlight;
    private boolean pollErrInFlight;
    private boolean closed;
    private boolean runtimeShutDown;
    private Waker reader;
    private Waker writer;
    private final ReadinessWaits waits = new ReadinessWaits(this);

    UringDatagram(UringDriver driver, RingLoop loop, int fd, short family) {
        super(driver, loop, fd);
        this.family = family;
    }

    @Override
    public SocketAddress tryRecvFrom(ByteBuffer dst, boolean peek) throws IOException {
        if (dst != null && dst.isReadOnly()) {
            throw new IllegalArgumentException("cannot receive into a read-only buffer");
        }
        int flags = peek ? Datagrams.MSG_PEEK : 0;
        synchronized (this) {
            usable();
            if (!readable && !errored) {
                // Found empty, and no poll has said otherwise since: the call would only say EAGAIN again.
                return null;
            }
            long n;
            if (dst == null) {
                n = Datagrams.recvFrom(fd, 0, 0, flags);
            } else if (dst.isDirect()) {
                n = Datagrams.recvFrom(fd, MemorySegment.ofBuffer(dst).address(), dst.remaining(), flags);
            } else {
                MemorySegment scratch = Datagrams.scratch();
                n = Datagrams.recvFrom(fd, scratch.address(), Math.min(dst.remaining(), Datagrams.MAX_DATAGRAM), flags);
                if (n > 0) {
                    MemorySegment.copy(scratch, ValueLayout.JAVA_BYTE, 0, dst.array(), dst.arrayOffset() + dst.position(), (int) n);
                }
            }
            if (n == -EAGAIN) {
                readable = false;
                return null;
            }
            if (n < 0) {
                errored = false;
                throw datagramFailure((int) -n);
            }
            if (dst != null) {
                dst.position(dst.position() + (int) n);
            }
            return Datagrams.sender();
        }
    }

    @Override
    public int trySendTo(ByteBuffer src, SocketAddress target) throws IOException {
        int length = src.remaining();
        synchronized (this) {
            usable();
            if (!writable && !errored) {
                return -1;
            }
            long n;
            if (src.isDirect()) {
                n = Datagrams.sendTo(fd, MemorySegment.ofBuffer(src).address(), length, target, family);
            } else if (length > Datagrams.MAX_DATAGRAM) {
                n = -EMSGSIZE;
            } else {
                MemorySegment scratch = Datagrams.scratch();
                MemorySegment.copy(MemorySegment.ofBuffer(src), 0, scratch, 0, length);
                n = Datagrams.sendTo(fd, scratch.address(), length, target, family);
            }
            if (n == -EAGAIN) {
                writable = false;
                return -1;
            }
            if (n < 0) {
                errored = false;
                throw datagramFailure((int) -n);
            }
            src.position(src.position() + (int) n);
            return (int) n;
        }
    }

    @Override
    public Poll<Ready> pollRecvReady(Context cx) throws IOException {
        synchronized (this) {
            usable();
            if (readable) {
                return Poll.ready(Ready.READABLE);
            }
            reader = cx.waker();
            pollIn();
            return Poll.pending();
        }
    }

    @Override
    public Poll<Ready> pollSendReady(Context cx) throws IOException {
        synchronized (this) {
            usable();
            if (writable) {
                return Poll.ready(Ready.WRITABLE);
            }
            writer = cx.waker();
            pollOut();
            return Poll.pending();
        }
    }

    @Override
    public Async<Ready> ready(Interest interest) {
        return waits.wait(interest);
    }

    @Override
    public void connect(SocketAddress peer) throws IOException {
        synchronized (this) {
            usable();
            Datagrams.connect(fd, peer, family);
            // As the JDK does: what others sent before the connect is not the peer's.
            long n;
            do {
                n = Datagrams.recvFrom(fd, 0, 0, 0);
            } while (n >= 0);
            readable = false;
        }
    }

    @Override
    public SocketAddress localAddress() throws IOException {
        synchronized (this) {
            usable();
            return Sockets.boundAddress(fd);
        }
    }

    @Override
    public <T> void setOption(SocketOption<T> name, T value) throws IOException {
        synchronized (this) {
            usable();
            DatagramOptions.set(fd, isV6(), name, value);
        }
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        synchronized (this) {
            usable();
            return DatagramOptions.get(fd, isV6(), name);
        }
    }

    @Override
    public int ttl() throws IOException {
        synchronized (this) {
            usable();
            return SocketOptions.ttl(fd, isV6());
        }
    }

    @Override
    public void setTtl(int ttl) throws IOException {
        synchronized (this) {
            usable();
            SocketOptions.setTtl(fd, isV6(), ttl);
        }
    }

    @Override
    public Optional<IOException> takeError() throws IOException {
        synchronized (this) {
            usable();
            int errno = Sockets.option(fd, Sockets.SOL_SOCKET, Sockets.SO_ERROR, 1)[0];
            errored = false;
            return errno == 0 ? Optional.empty() : Optional.of(datagramFailure(errno));
        }
    }

    @Override
    public void joinGroup(InetAddress group, NetworkInterface nif) throws IOException {
        membership(group, nif, true);
    }

    @Override
    public void leaveGroup(InetAddress group, NetworkInterface nif) throws IOException {
        membership(group, nif, false);
    }

    /** {@code struct ip_mreqn} (group, no address, interface index) or {@code struct ipv6_mreq} (group, index). */
    private void membership(InetAddress group, NetworkInterface nif, boolean join) throws IOException {
        if (!group.isMulticastAddress()) {
            throw new IllegalArgumentException(group + " is not a multicast address: join a group in 224.0.0.0/4 or ff00::/8");
        }
        if (group instanceof Inet6Address && !isV6()) {
            throw new IllegalArgumentException("an IPv4 socket cannot join the IPv6 group " + group + "; bind to an IPv6 address");
        }
        byte[] req;
        if (group instanceof Inet4Address) {
            req = Arrays.copyOf(group.getAddress(), 12);
            MemorySegment.ofArray(req).set(ValueLayout.JAVA_INT_UNALIGNED, 8, nif.getIndex());
        } else {
            req = Arrays.copyOf(group.getAddress(), 20);
            MemorySegment.ofArray(req).set(ValueLayout.JAVA_INT_UNALIGNED, 16, nif.getIndex());
        }
        synchronized (this) {
            usable();
            if (group instanceof Inet4Address) {
                Sockets.setOptionBytes(fd, Sockets.IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, req);
            } else {
                Sockets.setOptionBytes(fd, Sockets.IPPROTO_IPV6, join ? IPV6_ADD_MEMBERSHIP : IPV6_DROP_MEMBERSHIP, req);
            }
        }
    }

    /** {@code struct group_source_req}, at the level of the group's family, as the JDK does for a channel's key. */
    @Override
    public void blockSource(InetAddress group, NetworkInterface nif, InetAddress source, boolean block) throws IOException {
        byte[] req;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment r = arena.allocate(GROUP_SOURCE_REQ, 8);
            r.set(ValueLayout.JAVA_INT, 0, nif.getIndex());
            SocketAddresses.write(new InetSocketAddress(group, 0), r.asSlice(8, 128));
            SocketAddresses.write(new InetSocketAddress(source, 0), r.asSlice(136, 128));
            req = r.toArray(ValueLayout.JAVA_BYTE);
        }
        synchronized (this) {
            usable();
            Sockets.setOptionBytes(fd, group instanceof Inet4Address ? Sockets.IPPROTO_IP : Sockets.IPPROTO_IPV6,
                    block ? MCAST_BLOCK_SOURCE : MCAST_UNBLOCK_SOURCE, req);
        }
    }

    /**
     * Closes the socket; waiters wake to "socket closed". With no poll in flight the descriptor
     * is closed at once; otherwise the polls are cancelled and the close goes through the ring.
     */
    @Override
    public void close() {
        List<Waker> woken;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            woken = takeWakers();
            if (!runtimeShutDown) {
                if (inFlight == 0) {
                    LibC.close(fd);
                    driver.release(this);
                } else {
                    closeThroughRing(pollsInFlight());
                }
            }
        }
        ReadinessWaits.wakeAll(woken);
    }

    @Override
    void complete(int kind, int result, int flags) {
        // The single receiver and sender are woken from locals: a list is made only for queued waiters.
        Waker woke = null;
        Waker alsoWoke = null;
        List<Waker> waiting;
        synchronized (this) {
            inFlight--;
            boolean error = result > 0 && (result & POLLERR) != 0;
            errored |= error;
            switch (kind) {
                case POLL_IN -> {
                    pollInInFlight = false;
                    readable = true;
                }
                case POLL_OUT -> {
                    pollOutInFlight = false;
                    writable = true;
                }
                case POLL_ERR -> pollErrInFlight = false;
                default -> {
                    // A cancel's or a close's own completion: only counted.
                }
            }
            if (closed) {
                if (inFlight == 0) {
                    driver.release(this);
                }
                return;
            }
            boolean read = kind == POLL_IN || error;
            boolean write = kind == POLL_OUT || error;
            if (read) {
                woke = reader;
                reader = null;
            }
            if (write) {
                alsoWoke = writer;
                writer = null;
            }
            waiting = waits.isEmpty() ? null : waits.take(read || kind == POLL_ERR, write);
        }
        if (woke != null) {
            woke.wake();
        }
        if (alsoWoke != null) {
            alsoWoke.wake();
        }
        if (waiting != null) {
            ReadinessWaits.wakeAll(waiting);
        }
    }

    @Override
    void shutDown() {
        List<Waker> woken;
        synchronized (this) {
            runtimeShutDown = true;
            woken = takeWakers();
            if (!closed) {
                closed = true;
                LibC.close(fd);
            }
        }
        ReadinessWaits.wakeAll(woken);
    }

    private boolean isV6() {
        return family == SocketAddresses.AF_INET6;
    }

    /** Throws why the socket cannot be used: closed, or its runtime shut down. Under the monitor. */
    @Override
    public void usable() throws IOException {
        if (runtimeShutDown) {
            throw RuntimeShutdown.error();
        }
        if (closed) {
            throw new IOException("socket closed");
        }
    }

    /**
     * A refused UDP peer in the JDK's words for datagrams (a Unix-domain socket's receiver that
     * went away is refused too, but has no port); any other error as a stream's.
     */
    private IOException datagramFailure(int errno) {
        if (errno == Sockets.ECONNREFUSED && family != SocketAddresses.AF_UNIX) {
            return new PortUnreachableException(LibC.describe(errno));
        }
        return failure(errno);
    }

    private void pollIn() throws IOException {
        if (!pollInInFlight) {
            submitPoll(POLL_IN, POLLIN);
            pollInInFlight = true;
        }
    }

    private void pollOut() throws IOException {
        if (!pollOutInFlight) {
            submitPoll(POLL_OUT, POLLOUT);
            pollOutInFlight = true;
        }
    }

    /** A poll for nothing but the conditions a poll always reports: an error, or a hang-up. */
    private void pollErr() throws IOException {
        if (!pollErrInFlight) {
            submitPoll(POLL_ERR, 0);
            pollErrInFlight = true;
        }
    }

    /** Submits a {@code POLL_ADD} for {@code events}, counted in flight until it completes. Under the monitor. */
    private void submitPoll(int kind, int events) throws IOException {
        inFlight++;
        try {
            loop.submit(Opcode.POLL_ADD, fd, 0, 0, 0, userData(kind), events);
        } catch (IOException e) {
            inFlight--;
            throw e;
        }
    }

    private int[] pollsInFlight() {
        int[] kinds = new int[3];
        int n = 0;
        if (pollInInFlight) {
            kinds[n++] = POLL_IN;
        }
        if (pollOutInFlight) {
            kinds[n++] = POLL_OUT;
        }
        if (pollErrInFlight) {
            kinds[n++] = POLL_ERR;
        }
        return Arrays.copyOf(kinds, n);
    }

    /** What of {@code interest} the socket is ready for now. Under the monitor. */
    @Override
    public Ready readiness(Interest interest) {
        Ready r = Ready.EMPTY;
        if (interest.isReadable() && (readable || errored)) {
            r = r.union(Ready.READABLE);
        }
        if (interest.isWritable() && (writable || errored)) {
            r = r.union(Ready.WRITABLE);
        }
        if (interest.isError() && errored) {
            r = r.union(Ready.ERROR);
        }
        return r;
    }

    /** Arms the ring for a readiness wait: what a {@link ReadinessWaits} asks. Under the monitor. */
    @Override
    public void arm(Interest interest) throws IOException {
        if (interest.isReadable()) {
            pollIn();
        }
        if (interest.isWritable()) {
            pollOut();
        }
        if (!interest.isReadable() && !interest.isWritable()) {
            pollErr();
        }
    }

    private List<Waker> takeWakers() {
        List<Waker> woken = waits.take(true, true);
        if (reader != null) {
            woken.add(reader);
            reader = null;
        }
        if (writer != null) {
            woken.add(writer);
            writer = null;
        }
        return woken;
    }
}
