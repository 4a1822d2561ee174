package dev.kyoto.io.uring.internal.driver;

import dev.kyoto.io.Interest;
import dev.kyoto.io.Ready;
import dev.kyoto.io.spi.StreamSocket;
import dev.kyoto.io.uring.internal.ring.Opcode;
import dev.kyoto.io.uring.internal.sys.LibC;
import dev.kyoto.io.uring.internal.sys.Sockets;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.Waker;
import dev.kyoto.runtime.spi.Coop;
import dev.kyoto.runtime.spi.RuntimeShutdown;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A connected TCP socket driven by completions: a read is a {@code RECV} into this socket's
 * receive chunk, copied out as the reader asks; a write copies into the send chunk, queues a
 * {@code SEND} with {@code MSG_WAITALL} and returns, as a write into the kernel's socket buffer
 * does. Queued operations go to the kernel with everything else at the worker's next park, in one
 * system call; a thread that stops driving the runtime flushes them ({@code IoDriver.flush}).
 *
 * <p>One receive and one send are in flight at most: a write waits while a send is in flight, so
 * the bytes written and not yet sent are always those of one send, which holds its own reference
 * to the socket and finishes even after a close, as the kernel sends what a closed socket's buffer
 * holds. A send that fails makes the next write, flush or shutdown fail.
 *
 * <p>All state is guarded by this object's monitor. It is written by the tasks that read, write
 * and wait (any worker thread) and by {@link #complete}, on the thread that reaps the ring.
 * Wakers are called after the monitor is released. Invariants: {@code recvStart <= recvEnd}, and
 * bytes are buffered only while no receive is in flight; {@code inFlight} counts every operation
 * queued and not yet completed, and while it is zero no queued operation names the descriptor,
 * which may then be closed directly; the chunks and the slot are given back when it reaches zero
 * after the close.
 *
 * <p>Readiness in this model: readable when a read would return at once (bytes buffered, the end
 * of the stream, or an error); writable when no send is in flight. A wait for readability starts
 * a receive, since only a receive can tell.
 *
 * <p>A receive goes to the kernel when the socket has bytes: the stream is registered with its
 * loop's {@link EdgePoller} at its first receive while the loop is busy ({@link RingLoop#busy()}:
 * its last turn reaped 32 completions or more, by default; until then it receives as before), and
 * from then on a receive asked for with no edge since the last one waits ({@code recvWanted})
 * until {@link #edge(boolean)} brings one, so the {@code RECV}
 * completes inline in the enter that submits it instead of arming a poll. {@code edge} is set by
 * every edge and by a receive that filled its chunk (bytes may remain, and they bring no edge of
 * their own), and cleared by each receive submitted; it is never cleared otherwise, so an edge
 * is never lost, and an edge too many costs one receive that waits as it would without edges.
 * {@code peerEnded} is set by an edge that reports the peer's end or an error, and stays: a
 * receive that returns bytes cannot report the end behind them, and the end brings no second
 * edge, so from then on every receive goes at once. Invariant: {@code recvWanted} implies no
 * receive in flight, nothing buffered, no edge and no end seen.
 */
final class UringStream extends UringSocket implements StreamSocket, ReadinessWaits.Source {
    static final int RECV = 1;
    static final int SEND = 2;
    static final int POLL_OUT = 3;
    static final int POLL_IN = 4;
    private static final int POLLIN = 0x1;
    private static final int POLLOUT = 0x4;
    /**
     * The smallest direct buffer that a read in bulk, or any write, moves straight between the
     * socket and the caller's buffer: from here up a copy through a chunk costs more than the
     * system call it saves.
     */
    static final int BULK = 16 * 1024;
    private static final int MSG_WAITALL = 0x100;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int EAGAIN = 11;
    /** {@link #readNow}'s answer when only a receive can tell. */
    private static final int WAIT = Integer.MIN_VALUE;

    /** The receive chunk: tiny until a receive fills it, then one size up each time one does. */
    private MemorySegment recvBuf;
    /** Whether the last receive filled its chunk: the next one takes a chunk of the next size up. */
    private boolean growRecv;
    /** The send chunk: taken by the first write, kept for the next ones, grown when a write needs more; null until then. */
    private MemorySegment sendBuf;
    private int recvStart;
    private int recvEnd;
    private boolean recvInFlight;
    /**
     * Whether the connection streams: a receive filled the largest chunk. Reads into direct
     * buffers of at least {@link #BULK} bytes then {@code recv} straight into them, and wait for
     * readability with a {@code POLL_ADD}; a read that finds less than a small chunk's worth
     * ends it.
     */
    private boolean bulk;
    private boolean pollInInFlight;
    /** Whether a receive on a busy loop has registered the socket with the loop's edge poller (or tried to). */
    private boolean edgesAsked;
    /** Whether that registration took: receives wait for edges. */
    private boolean edgeTriggered;
    /** The socket has had bytes (or its end, or an error) since the last receive was submitted. */
    private boolean edge;
    /** A reader or a readiness wait wants bytes, and its receive waits for the next edge. */
    private boolean recvWanted;
    /** An edge reported the peer's end of the stream, or an error: receives no longer wait for edges. */
    private boolean peerEnded;
    private boolean eof;
    private int readErrno;
    private boolean sendInFlight;
    private int sendLength;
    /** Whether a {@link #tryWrite} found the socket's buffer full: not writable until a poll says so. */
    private boolean writeBlocked;
    private boolean pollOutInFlight;
    private int writeErrno;
    private boolean outputShutdown;
    private boolean shutdownPending;
    private boolean closed;
    private boolean runtimeShutDown;
    private Waker reader;
    private Waker writer;
    private final ReadinessWaits waits = new ReadinessWaits(this);
    /** The peer, as the accept reported it. */
    private final SocketAddress peer;

    UringStream(UringDriver driver, RingLoop loop, int fd, SocketAddress peer) {
        super(driver, loop, fd);
        this.peer = peer;
        this.recvBuf = driver.buffers().take(NativeBuffers.TINY);
    }

    MemorySegment recvBuffer() {
        return recvBuf;
    }

    @Override
    public Poll<Integer> pollRead(Context cx, ByteBuffer dst) throws IOException {
        return pollReadSide(cx, dst, false);
    }

    /** A read or a peek: at once if {@link #readNow} can answer, else after the receive it starts. */
    private Poll<Integer> pollReadSide(Context cx, ByteBuffer dst, boolean peek) throws IOException {
        if (!Coop.proceed(cx)) {
            return Poll.pending();
        }
        synchronized (this) {
            int n = readNow(dst, peek);
            if (n == WAIT && !peek && readsDirect(dst)) {
                n = readDirect(dst);
                if (n == WAIT) {
                    reader = cx.waker();
                    pollIn();
                }
            } else if (n == WAIT) {
                reader = cx.waker();
                receive();
            }
            if (n != WAIT) {
                return Poll.ready(n);
            }
        }
        Coop.refund();
        return Poll.pending();
    }

    /** Whether a read into {@code dst}, with nothing buffered, goes straight to the socket. Under the monitor. */
    private boolean readsDirect(ByteBuffer dst) {
        return bulk && !recvInFlight && dst.isDirect() && dst.remaining() >= BULK;
    }

    /**
     * One {@code recv} that does not wait, into {@code dst} itself; {@link #WAIT} if the socket
     * has nothing. Under the monitor, with nothing buffered and no receive in flight.
     */
    private int readDirect(ByteBuffer dst) throws IOException {
        long n = Sockets.recv(fd, MemorySegment.ofBuffer(dst), dst.remaining());
        if (n > 0) {
            dst.position(dst.position() + (int) n);
            bulk = n >= NativeBuffers.SMALL;
            return (int) n;
        }
        if (n == 0) {
            eof = true;
            return -1;
        }
        if (n == -EAGAIN) {
            return WAIT;
        }
        readErrno = (int) -n;
        throw failure(readErrno);
    }

    /**
     * What a read (or a peek) returns without waiting for the kernel: buffered bytes, the error
     * or the end a receive saw, or 0 into a full buffer; {@link #WAIT} when only a receive can
     * tell. Under the monitor.
     */
    private int readNow(ByteBuffer dst, boolean peek) throws IOException {
        usable();
        if (recvEnd > recvStart) {
            if (!peek) {
                return copyOut(dst);
            }
            topUp(dst.remaining());
            return copyPeeked(dst);
        }
        if (readErrno != 0) {
            throw failure(readErrno);
        }
        if (eof && writeErrno != 0) {
            // The peer reset the connection while a send was going out: the send took the
            // error, and the receive after it sees only the end. A read on the selector
            // would fail with the reset; so does this one.
            throw failure(writeErrno);
        }
        if (eof) {
            return -1;
        }
        return dst.hasRemaining() ? WAIT : 0;
    }

    @Override
    public int tryRead(ByteBuffer dst) throws IOException {
        synchronized (this) {
            int now = readNow(dst, false);
            if (now != WAIT) {
                return now;
            }
            if (recvInFlight) {
                return 0;
            }
            if (readsDirect(dst)) {
                int n = readDirect(dst);
                return n == WAIT ? 0 : n;
            }
            // Nothing buffered and no receive in flight: ask the socket itself, as a read on the
            // selector would, rather than start a receive that nobody may wait for.
            growIfDue();
            long n = Sockets.recv(fd, recvBuf, recvBuf.byteSize());
            if (n > 0) {
                recvEnd = (int) n;
                filled((int) n);
                return copyOut(dst);
            }
            if (n == 0) {
                eof = true;
                return -1;
            }
            if (n != -EAGAIN) {
                readErrno = (int) -n;
                throw failure(readErrno);
            }
            return 0;
        }
    }

    @Override
    public Poll<Integer> pollWrite(Context cx, ByteBuffer src) throws IOException {
        if (!Coop.proceed(cx)) {
            return Poll.pending();
        }
        synchronized (this) {
            writable();
            if (!src.hasRemaining()) {
                return Poll.ready(0);
            }
            if (!sendInFlight && src.isDirect() && src.remaining() >= BULK) {
                int sent = writeDirect(src);
                if (sent > 0) {
                    return Poll.ready(sent);
                }
            }
            if (!sendInFlight) {
                sendChunk(src.remaining());
                int n = copyIn(src, 0);
                submitSend(n);
                return Poll.ready(n);
            }
            writer = cx.waker();
        }
        Coop.refund();
        return Poll.pending();
    }

    /**
     * One {@code send} that does not wait, from {@code src} itself; 0 if the socket's buffer is
     * full, and the write then goes through a chunk as a small one does. Under the monitor, with
     * no send in flight, so the bytes cannot overtake a queued send's.
     */
    private int writeDirect(ByteBuffer src) throws IOException {
        return took(src, Sockets.send(fd, MemorySegment.ofBuffer(src), src.remaining()));
    }

    /**
     * Takes the result of a {@code send} that did not wait: moves {@code src} past the bytes sent
     * and returns how many; 0 if the socket's buffer was full; any other error is kept for the
     * writes after and thrown. Under the monitor.
     */
    private int took(ByteBuffer src, long sent) throws IOException {
        if (sent >= 0) {
            src.position(src.position() + (int) sent);
            return (int) sent;
        }
        if (sent != -EAGAIN) {
            writeErrno = (int) -sent;
            throw failure(writeErrno);
        }
        return 0;
    }

    /** {@link #writeDirect(ByteBuffer)} for a gathering write: one {@code sendmsg} from the buffers themselves. */
    private long writeDirect(ByteBuffer[] srcs) throws IOException {
        long sent = Sockets.sendGathering(fd, srcs);
        if (sent == -EAGAIN) {
            return 0;
        }
        if (sent < 0) {
            writeErrno = (int) -sent;
            throw failure(writeErrno);
        }
        long left = sent;
        for (int i = 0; left > 0; i++) {
            int n = (int) Math.min(left, srcs[i].remaining());
            srcs[i].position(srcs[i].position() + n);
            left -= n;
        }
        return sent;
    }

    /**
     * A large gathering write of direct buffers is one {@code sendmsg} from them, as a large
     * write is one {@code send}; otherwise as many of {@code srcs}' bytes as the send chunk holds
     * are gathered into it for one {@code SEND}.
     */
    @Override
    public Poll<Long> pollWriteVectored(Context cx, ByteBuffer[] srcs) throws IOException {
        if (!Coop.proceed(cx)) {
            return Poll.pending();
        }
        synchronized (this) {
            writable();
            if (!sendInFlight) {
                long total = 0;
                boolean direct = true;
                for (ByteBuffer src : srcs) {
                    total += src.remaining();
                    direct &= src.isDirect();
                }
                if (direct && total >= BULK) {
                    long sent = writeDirect(srcs);
                    if (sent > 0) {
                        return Poll.ready(sent);
                    }
                }
                sendChunk(total);
                int n = 0;
                for (ByteBuffer src : srcs) {
                    n += copyIn(src, n);
                }
                if (n > 0) {
                    submitSend(n);
                }
                return Poll.ready((long) n);
            }
            writer = cx.waker();
        }
        Coop.refund();
        return Poll.pending();
    }

    /** Sends what the socket's buffer takes now, with one {@code send} that does not wait, as on the selector. */
    @Override
    public int tryWrite(ByteBuffer src) throws IOException {
        synchronized (this) {
            writable();
            if (sendInFlight || !src.hasRemaining()) {
                return 0;
            }
            sendChunk(src.remaining());
            int n = (int) Math.min(src.remaining(), sendBuf.byteSize());
            copy(src, sendBuf, n);
            int sent = took(src, Sockets.send(fd, sendBuf, n));
            writeBlocked = sent == 0;
            return sent;
        }
    }

    /** Waits until the last send has completed: the bytes written are in the kernel. */
    @Override
    public Poll<Void> pollFlush(Context cx) throws IOException {
        synchronized (this) {
            usable();
            if (writeErrno != 0) {
                throw failure(writeErrno);
            }
            if (!sendInFlight) {
                return Poll.ready(null);
            }
            writer = cx.waker();
            return Poll.pending();
        }
    }

    @Override
    public Async<Ready> ready(Interest interest) {
        return waits.wait(interest);
    }

    @Override
    public Poll<Ready> pollReadReady(Context cx) throws IOException {
        synchronized (this) {
            usable();
            Ready r = readiness(Interest.READABLE);
            if (!r.isEmpty()) {
                return Poll.ready(r);
            }
            reader = cx.waker();
            receive();
            return Poll.pending();
        }
    }

    @Override
    public Poll<Ready> pollWriteReady(Context cx) throws IOException {
        synchronized (this) {
            usable();
            Ready r = readiness(Interest.WRITABLE);
            if (!r.isEmpty()) {
                return Poll.ready(r);
            }
            writer = cx.waker();
            pollOut();
            return Poll.pending();
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        synchronized (this) {
            usable();
            if (outputShutdown) {
                return;
            }
            outputShutdown = true;
            if (sendInFlight) {
                shutdownPending = true;
            } else {
                shutdownNow();
            }
        }
    }

    @Override
    public <T> void setOption(SocketOption<T> name, T value) throws IOException {
        synchronized (this) {
            usable();
            SocketOptions.set(fd, name, value);
            driver.optionSet(name, value);
        }
    }

    /**
     * Turns a positive {@code SO_LINGER} off before the descriptor closes, as the JDK does for a
     * channel registered with a selector: with it, closing would block the closing thread (a
     * worker, or the one that runs the ring's close) until the unsent bytes went or the time ran
     * out. Looked for only once some socket of the driver was given one. Under the monitor.
     */
    private void unlinger() {
        if (!driver.mayLinger()) {
            return;
        }
        try {
            if (SocketOptions.get(fd, StandardSocketOptions.SO_LINGER) > 0) {
                SocketOptions.set(fd, StandardSocketOptions.SO_LINGER, -1);
            }
        } catch (IOException e) {
            // The socket is failing already; the close that follows is all that is left to do.
        }
    }

    @Override
    public boolean peeks() {
        return true;
    }

    /**
     * A peek in this model copies from the receive chunk without taking the bytes, and first
     * tops the chunk up with what the socket holds (a {@code recv} that does not wait), so it
     * sees up to a chunk of what has arrived, not only what an earlier read or peek fetched.
     */
    @Override
    public Poll<Integer> pollPeek(Context cx, ByteBuffer dst) throws IOException {
        return pollReadSide(cx, dst, true);
    }

    /**
     * Receives into the chunk behind the buffered bytes without waiting, until {@code wanted}
     * bytes are buffered or the chunk is full. Under the monitor, with bytes buffered (so no
     * receive is in flight). An error or the end is kept for the read that reaches it.
     */
    private void topUp(int wanted) {
        int room = (int) recvBuf.byteSize() - recvEnd;
        if (recvEnd - recvStart >= wanted || room == 0 || eof || readErrno != 0) {
            return;
        }
        long n = Sockets.recv(fd, recvBuf.asSlice(recvEnd), room);
        if (n > 0) {
            recvEnd += (int) n;
        } else if (n == 0) {
            eof = true;
        } else if (n != -EAGAIN) {
            readErrno = (int) -n;
        }
    }

    @Override
    public int ttl() throws IOException {
        synchronized (this) {
            usable();
            return SocketOptions.ttl(fd, peer);
        }
    }

    @Override
    public void setTtl(int ttl) throws IOException {
        synchronized (this) {
            usable();
            SocketOptions.setTtl(fd, peer, ttl);
        }
    }

    @Override
    public Optional<IOException> takeError() throws IOException {
        synchronized (this) {
            usable();
            int errno = Sockets.option(fd, Sockets.SOL_SOCKET, Sockets.SO_ERROR, 1)[0];
            return errno == 0 ? Optional.empty() : Optional.of(failure(errno));
        }
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        synchronized (this) {
            usable();
            return SocketOptions.get(fd, name);
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
    public SocketAddress remoteAddress() throws IOException {
        synchronized (this) {
            usable();
            return peer;
        }
    }

    @Override
    public synchronized boolean isOpen() {
        return !closed;
    }

    /**
     * Closes the socket; waiters wake to "stream closed". With nothing queued the descriptor is
     * closed at once; otherwise a receive in flight is cancelled and the close goes through the
     * ring, entered at once. A send in flight (from a write cancelled after its first poll)
     * holds its own reference to the socket and finishes first, as the kernel sends what a
     * closed socket's buffer holds.
     */
    @Override
    public void close() throws IOException {
        List<Waker> woken;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            woken = takeWakers();
            if (!runtimeShutDown) {
                unlinger();
                if (inFlight == 0) {
                    LibC.close(fd);
                    giveChunks();
                    driver.release(this);
                } else {
                    closeThroughRing(waitingKinds());
                }
            }
        }
        ReadinessWaits.wakeAll(woken);
    }

    @Override
    void complete(int kind, int result, int flags) {
        // No allocation here in the common case: the single reader or writer is woken from a
        // local; a list is made only when readiness waiters are queued.
        Waker single;
        List<Waker> waiting;
        synchronized (this) {
            inFlight--;
            switch (kind) {
                case RECV -> {
                    recvInFlight = false;
                    if (result > 0) {
                        recvStart = 0;
                        recvEnd = result;
                        // A full chunk may have left bytes in the socket, which bring no edge.
                        edge |= result == recvBuf.byteSize();
                        filled(result);
                    } else if (result == 0) {
                        eof = true;
                    } else if (result == -EAGAIN) {
                        if (!closed && (reader != null || !waits.isEmpty())) {
                            try {
                                receive();
                                return;
                            } catch (IOException e) {
                                // The ring is closing; its shutdown wakes the waiters with the error.
                            }
                        }
                    } else if (!closed) {
                        readErrno = -result;
                    }
                }
                case POLL_OUT -> {
                    pollOutInFlight = false;
                    writeBlocked = false;
                }
                case POLL_IN -> {
                    // Readable, or an error the next recv reports: either way the reader retries.
                    pollInInFlight = false;
                }
                case SEND -> {
                    sendInFlight = false;
                    if (result >= 0) {
                        writeBlocked = false;
                    }
                    if (result < 0 && !closed) {
                        writeErrno = -result;
                    } else if (result < sendLength && !closed) {
                        // MSG_WAITALL reports the bytes it sent before a failure instead of the
                        // failure: the rest is lost, as the connection is.
                        writeErrno = Sockets.EPIPE;
                    }
                    if (shutdownPending && !closed) {
                        shutdownPending = false;
                        shutdownNow();
                    }
                }
                default -> {
                    // A cancel's or a close's own completion: only counted.
                }
            }
            if (closed) {
                if (inFlight == 0) {
                    giveChunks();
                    driver.release(this);
                }
                return;
            }
            boolean read = kind == RECV || kind == POLL_IN;
            boolean write = kind == SEND || kind == POLL_OUT;
            single = read ? reader : write ? writer : null;
            if (read) {
                reader = null;
            } else if (write) {
                writer = null;
            }
            waiting = waits.isEmpty() ? null : waits.take(read, write);
        }
        if (single != null) {
            single.wake();
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
                unlinger();
                LibC.close(fd);
            }
        }
        ReadinessWaits.wakeAll(woken);
    }

    /** Throws why the stream cannot be used: closed, or its runtime shut down. Under the monitor. */
    @Override
    public void usable() throws IOException {
        if (runtimeShutDown) {
            throw RuntimeShutdown.error();
        }
        if (closed) {
            throw new IOException("stream closed");
        }
    }

    private void writable() throws IOException {
        usable();
        if (writeErrno != 0) {
            throw failure(writeErrno);
        }
        if (outputShutdown) {
            throw new ClosedChannelException();
        }
    }

    /** The kinds of this stream's operations that wait on the peer and are in flight, to be cancelled by a close. Under the monitor. */
    private int[] waitingKinds() {
        int[] kinds = new int[3];
        int n = 0;
        if (recvInFlight) {
            kinds[n++] = RECV;
        }
        if (pollInInFlight) {
            kinds[n++] = POLL_IN;
        }
        if (pollOutInFlight) {
            kinds[n++] = POLL_OUT;
        }
        return Arrays.copyOf(kinds, n);
    }

    /**
     * Notes a receive of {@code n} bytes into the chunk: one that filled it takes the next size
     * up, and one that filled the largest starts bulk reads. Under the monitor.
     */
    private void filled(int n) {
        boolean full = n == recvBuf.byteSize();
        growRecv = full && n < NativeBuffers.LARGE;
        bulk |= full && n == NativeBuffers.LARGE;
    }

    /** Asks the ring to say when the socket has bytes, for a bulk read to take them itself. Under the monitor. */
    private void pollIn() throws IOException {
        if (pollInInFlight) {
            return;
        }
        submitCounted(Opcode.POLL_ADD, 0, 0, POLL_IN, POLLIN);
        pollInInFlight = true;
    }

    /**
     * Submits this socket's operation of {@code kind}, counted in flight from here until its
     * completion (not counted if the submission fails). Under the monitor, which the completion
     * needs too: the caller marks the operation in flight after this returns.
     */
    private void submitCounted(byte opcode, long addr, int len, int kind, int opFlags) throws IOException {
        inFlight++;
        try {
            loop.submit(opcode, fd, addr, len, 0, userData(kind), opFlags);
        } catch (IOException e) {
            inFlight--;
            throw e;
        }
    }

    /**
     * Submits a receive unless one is in flight or bytes are waiting; with edges, only once the
     * socket has had bytes since the last one, else {@link #edge(boolean)} submits it. Under the monitor.
     */
    private void receive() throws IOException {
        if (recvInFlight || recvEnd > recvStart || eof || readErrno != 0) {
            return;
        }
        if (!edgesAsked && loop.busy()) {
            edgesAsked = true;
            edgeTriggered = loop.registerEdges(fd, slot);
            // Bytes that came before the registration may have been reported to nobody.
            edge = true;
        }
        if (edgeTriggered && !edge && !peerEnded) {
            recvWanted = true;
            return;
        }
        edge = false;
        recvWanted = false;
        growIfDue();
        submitCounted(Opcode.RECV, recvBuf.address(), (int) recvBuf.byteSize(), RECV, 0);
        recvInFlight = true;
    }

    /**
     * Moves to a receive chunk of the next size if the last receive filled this one. Under the
     * monitor, with nothing buffered and no receive in flight, so nothing refers to the chunk.
     */
    private void growIfDue() {
        if (growRecv) {
            driver.buffers().give(recvBuf);
            recvBuf = driver.buffers().take(NativeBuffers.grown(recvBuf.byteSize()));
            growRecv = false;
        }
    }

    /**
     * The loop's edge poller saw the socket become readable, or, if {@code ended}, reach its end
     * or fail: a receive that waited for it goes now. On the reaping thread, whose turn enters it.
     */
    void edge(boolean ended) {
        synchronized (this) {
            if (closed) {
                return;
            }
            edge = true;
            peerEnded |= ended;
            if (!recvWanted) {
                return;
            }
            try {
                receive();
            } catch (IOException e) {
                // The ring is closing; its shutdown wakes the waiters with the error.
            }
        }
    }

    /** Asks the ring to say when a full socket buffer has room again. Under the monitor. */
    private void pollOut() throws IOException {
        if (!writeBlocked || pollOutInFlight || sendInFlight) {
            return;
        }
        submitCounted(Opcode.POLL_ADD, 0, 0, POLL_OUT, POLLOUT);
        pollOutInFlight = true;
    }

    /**
     * Makes {@code sendBuf} a chunk fit for {@code bytes}: the stream keeps its chunk between
     * writes, so a connection that writes takes the pool's lock only when the size it needs
     * changes class, never per write. Under the monitor, with no send in flight.
     */
    private void sendChunk(long bytes) {
        int size = NativeBuffers.sizeFor(bytes);
        if (sendBuf != null && sendBuf.byteSize() >= size) {
            return;
        }
        if (sendBuf != null) {
            driver.buffers().give(sendBuf);
        }
        sendBuf = driver.buffers().take(size);
    }

    /** Gives the chunks back once no operation can touch them. Under the monitor. */
    private void giveChunks() {
        driver.buffers().give(recvBuf);
        if (sendBuf != null) {
            driver.buffers().give(sendBuf);
            sendBuf = null;
        }
    }

    /** Submits a send of the chunk's first {@code n} bytes. Under the monitor, with no send in flight. */
    private void submitSend(int n) throws IOException {
        submitCounted(Opcode.SEND, sendBuf.address(), n, SEND, MSG_WAITALL | MSG_NOSIGNAL);
        sendInFlight = true;
        sendLength = n;
    }

    private void shutdownNow() {
        int errno = Sockets.shutdown(fd, Sockets.SHUT_WR);
        // After the peer reset, or a second time, there is nothing left to end: that succeeds, as on the selector.
        if (errno != 0 && errno != Sockets.ENOTCONN) {
            writeErrno = errno;
        }
    }

    private int copyOut(ByteBuffer dst) {
        int n = Math.min(dst.remaining(), recvEnd - recvStart);
        if (dst.hasArray()) {
            MemorySegment.copy(recvBuf, ValueLayout.JAVA_BYTE, recvStart, dst.array(), dst.arrayOffset() + dst.position(), n);
        } else {
            MemorySegment.copy(recvBuf, recvStart, MemorySegment.ofBuffer(dst), 0, n);
        }
        dst.position(dst.position() + n);
        recvStart += n;
        if (recvStart == recvEnd) {
            recvStart = 0;
            recvEnd = 0;
        }
        return n;
    }

    /** Copies buffered bytes into {@code dst} and leaves them buffered. */
    private int copyPeeked(ByteBuffer dst) {
        int n = Math.min(dst.remaining(), recvEnd - recvStart);
        MemorySegment.copy(recvBuf, recvStart, MemorySegment.ofBuffer(dst), 0, n);
        dst.position(dst.position() + n);
        return n;
    }

    /** Copies what fits of {@code src} into the send chunk at {@code at}, moving its position; returns how much. */
    private int copyIn(ByteBuffer src, int at) {
        int n = (int) Math.min(src.remaining(), sendBuf.byteSize() - at);
        if (n <= 0) {
            return 0;
        }
        if (src.hasArray()) {
            MemorySegment.copy(src.array(), src.arrayOffset() + src.position(), sendBuf, ValueLayout.JAVA_BYTE, at, n);
        } else {
            MemorySegment.copy(MemorySegment.ofBuffer(src), 0, sendBuf, at, n);
        }
        src.position(src.position() + n);
        return n;
    }

    /** Copies {@code src}'s next {@code n} bytes to the start of {@code chunk}, leaving its position alone. */
    private static void copy(ByteBuffer src, MemorySegment chunk, int n) {
        if (src.hasArray()) {
            MemorySegment.copy(src.array(), src.arrayOffset() + src.position(), chunk, ValueLayout.JAVA_BYTE, 0, n);
        } else {
            MemorySegment.copy(MemorySegment.ofBuffer(src), 0, chunk, 0, n);
        }
    }

    /** What of {@code interest} the stream is ready for now. Under the monitor. */
    @Override
    public Ready readiness(Interest interest) {
        Ready r = Ready.EMPTY;
        if (interest.isReadable() && (recvEnd > recvStart || eof || readErrno != 0)) {
            r = r.union(eof && recvEnd == recvStart ? Ready.READABLE.union(Ready.READ_CLOSED) : Ready.READABLE);
        }
        if (interest.isWritable() && ((!sendInFlight && !writeBlocked) || writeErrno != 0)) {
            r = r.union(Ready.WRITABLE);
        }
        return r;
    }

    /** Arms the ring for a readiness wait: what a {@link ReadinessWaits} asks. Under the monitor. */
    @Override
    public void arm(Interest interest) throws IOException {
        if (interest.isReadable()) {
            receive();
        }
        if (interest.isWritable()) {
            pollOut();
        }
    }

    /** Takes every waker, for a close or a shutdown. Under the monitor. */
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
