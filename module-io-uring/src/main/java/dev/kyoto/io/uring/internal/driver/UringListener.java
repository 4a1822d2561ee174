package dev.kyoto.io.uring.internal.driver;

import dev.kyoto.io.spi.ListenerSocket;
import dev.kyoto.io.spi.StreamSocket;
import dev.kyoto.io.uring.internal.ring.Opcode;
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
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A listening TCP socket driven by completions: an {@code ACCEPT} is in flight while any task
 * waits to accept, and what it accepts is queued until a task takes it.
 *
 * <p>All state is guarded by this object's monitor, written by accepting tasks and by
 * {@link #complete} on the thread that reaps the ring; wakers are called after the monitor is
 * released. Accepted descriptors nobody took are closed with the listener. An accept that failed
 * (out of descriptors, say) is reported to one accepting task, and the listener stays usable.
 */
final class UringListener extends UringSocket implements ListenerSocket {
    static final int ACCEPT = 1;
    private static final int ACCEPT_FLAGS = Sockets.SOCK_NONBLOCK | Sockets.SOCK_CLOEXEC;
    /** Where in {@code peerAddress} the accept's address length goes: after room for any address, aligned. */
    private static final long PEER_LENGTH = SocketAddresses.UNIX_SIZE + 2;

    private final SocketAddress local;
    /**
     * Where the kernel writes the peer's address of the accept in flight ({@code sockaddr}, then
     * its length): read at accept time, as the JDK does, because a peer that has already reset
     * the connection leaves nothing for {@code getpeername} to return.
     */
    private final MemorySegment peerAddress;
    private final ArrayDeque<Accepted> accepted = new ArrayDeque<>();
    private final List<AcceptWait> waiters = new ArrayList<>(0);
    private boolean acceptInFlight;
    private int acceptErrno;
    private boolean closed;
    private boolean runtimeShutDown;
    private Waker single;

    /** An accepted descriptor and its peer's address. */
    private record Accepted(int fd, SocketAddress peer) {
    }

    UringListener(UringDriver driver, RingLoop loop, int fd, SocketAddress local) {
        super(driver, loop, fd);
        this.local = local;
        this.peerAddress = Arena.ofAuto().allocate(SocketAddresses.UNIX_SIZE + 6L, 8);
    }

    @Override
    public Async<StreamSocket> accept() {
        return new AcceptWait();
    }

    @Override
    public Poll<StreamSocket> pollAccept(Context cx) throws IOException {
        Accepted a;
        synchronized (this) {
            a = take();
            if (a == null) {
                single = cx.waker();
                startAccept();
                return Poll.pending();
            }
            if (!waiters.isEmpty()) {
                startAccept();
            }
        }
        return Poll.ready(adopt(a));
    }

    /** An accepted connection, or null. Under the monitor. */
    private Accepted take() throws IOException {
        usable();
        Accepted a = accepted.pollFirst();
        if (a != null) {
            return a;
        }
        if (acceptErrno != 0) {
            int errno = acceptErrno;
            acceptErrno = 0;
            throw new IOException(LibC.describe(errno));
        }
        return null;
    }

    /** Makes the accepted descriptor a stream; closes it if that fails, so nothing leaks. */
    private StreamSocket adopt(Accepted a) throws IOException {
        try {
            return driver.adopt(driver.nextLoop(), a.fd(), a.peer());
        } catch (IOException | RuntimeException e) {
            LibC.close(a.fd());
            throw e;
        }
    }

    private void startAccept() throws IOException {
        if (acceptInFlight) {
            return;
        }
        acceptInFlight = true;
        inFlight++;
        try {
            peerAddress.set(ValueLayout.JAVA_INT, PEER_LENGTH, SocketAddresses.UNIX_SIZE);
            loop.submit(Opcode.ACCEPT, fd, peerAddress.address(), 0, peerAddress.address() + PEER_LENGTH,
                    userData(ACCEPT), ACCEPT_FLAGS);
        } catch (IOException e) {
            acceptInFlight = false;
            inFlight--;
            throw e;
        }
    }

    @Override
    public SocketAddress localAddress() {
        return local;
    }

    @Override
    public int ttl() throws IOException {
        synchronized (this) {
            usable();
            return SocketOptions.ttl(fd, local);
        }
    }

    @Override
    public void setTtl(int ttl) throws IOException {
        synchronized (this) {
            usable();
            SocketOptions.setTtl(fd, local, ttl);
        }
    }

    /** Throws why the listener cannot be used: its runtime shut down, or it was closed. Under the monitor. */
    private void usable() throws IOException {
        if (runtimeShutDown) {
            throw RuntimeShutdown.error();
        }
        if (closed) {
            throw new IOException("listener closed");
        }
    }

    @Override
    public void close() throws IOException {
        List<Waker> woken;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            closeUnclaimed();
            woken = takeWakers();
            if (!runtimeShutDown) {
                closeThroughRing(acceptInFlight ? new int[] {ACCEPT} : new int[0]);
            }
        }
        wake(woken);
    }

    @Override
    void complete(int kind, int result, int flags) {
        List<Waker> woken;
        synchronized (this) {
            inFlight--;
            if (kind == ACCEPT) {
                acceptInFlight = false;
                if (result >= 0) {
                    if (closed) {
                        LibC.close(result);
                    } else {
                        accepted.addLast(new Accepted(result,
                                SocketAddresses.read(peerAddress, peerAddress.get(ValueLayout.JAVA_INT, PEER_LENGTH))));
                    }
                } else if (!closed) {
                    acceptErrno = -result;
                }
            }
            if (closed) {
                if (inFlight == 0) {
                    driver.release(this);
                }
                return;
            }
            woken = kind == ACCEPT ? takeWakers() : List.of();
        }
        wake(woken);
    }

    @Override
    void shutDown() {
        List<Waker> woken;
        synchronized (this) {
            runtimeShutDown = true;
            woken = takeWakers();
            if (!closed) {
                closed = true;
                closeUnclaimed();
                LibC.close(fd);
            }
        }
        wake(woken);
    }

    /** Closes the connections accepted that no task took. Under the monitor. */
    private void closeUnclaimed() {
        for (Accepted unclaimed : accepted) {
            LibC.close(unclaimed.fd());
        }
        accepted.clear();
    }

    private List<Waker> takeWakers() {
        List<Waker> woken = new ArrayList<>(1 + waiters.size());
        if (single != null) {
            woken.add(single);
            single = null;
        }
        for (AcceptWait w : waiters) {
            woken.add(w.waker);
            w.queued = false;
        }
        waiters.clear();
        return woken;
    }

    private static void wake(List<Waker> woken) {
        for (Waker w : woken) {
            w.wake();
        }
    }

    /** One task's accept: any number may wait at once, each with its own waker. */
    private final class AcceptWait implements Async<StreamSocket> {
        private Waker waker;
        private boolean queued;

        @Override
        public Poll<StreamSocket> poll(Context cx) throws IOException {
            Accepted a;
            synchronized (UringListener.this) {
                a = take();
                if (a == null) {
                    waker = cx.waker();
                    if (!queued) {
                        waiters.add(this);
                        queued = true;
                    }
                    startAccept();
                    return Poll.pending();
                }
                if (queued) {
                    waiters.remove(this);
                    queued = false;
                }
                if (!waiters.isEmpty()) {
                    startAccept();
                }
            }
            return Poll.ready(adopt(a));
        }

        @Override
        public void cancel() {
            synchronized (UringListener.this) {
                if (queued) {
                    waiters.remove(this);
                    queued = false;
                }
            }
        }
    }
}
