package dev.kyoto.io.uring.internal.driver;

import dev.kyoto.io.spi.ConnectingSocket;
import dev.kyoto.io.spi.StreamSocket;
import dev.kyoto.io.uring.internal.ring.Opcode;
import dev.kyoto.io.uring.internal.sys.LibC;
import dev.kyoto.io.uring.internal.sys.SocketAddresses;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.Waker;
import dev.kyoto.runtime.spi.RuntimeShutdown;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.net.NoRouteToHostException;

/**
 * A TCP connect driven by a completion: one {@code CONNECT} on a fresh socket. When it succeeds,
 * {@link #pollConnect} hands the descriptor to a {@link UringStream} of its own slot and gives
 * this one back; until then this object owns the descriptor, and closing it cancels the connect
 * and closes the descriptor through the ring.
 *
 * <p>All state is guarded by this object's monitor, written by the connecting task, by
 * {@link #close()} from any thread, and by {@link #complete} on the thread that reaps the ring;
 * the waker is called after the monitor is released. Invariant: the slot is given back exactly
 * once, when nothing is in flight and the connect is either handed over or closed.
 */
final class UringConnect extends UringSocket implements ConnectingSocket {
    static final int CONNECT = 1;
    private static final int ECONNREFUSED = 111;
    private static final int ETIMEDOUT = 110;
    private static final int EHOSTUNREACH = 113;

    private final SocketAddress remote;
    /** The address the kernel reads as the connect is submitted; held until it completes. */
    private final MemorySegment sockaddr;
    private boolean connected;
    private int errno;
    private boolean closed;
    private boolean handedOver;
    private boolean runtimeShutDown;
    private Waker waker;

    UringConnect(UringDriver driver, RingLoop loop, int fd, SocketAddress remote) {
        super(driver, loop, fd);
        this.remote = remote;
        this.sockaddr = Arena.ofAuto().allocate(SocketAddresses.UNIX_SIZE, 8);
    }

    /** Queues the {@code CONNECT}; called once, after the socket has its slot. */
    void start() throws IOException {
        int length = SocketAddresses.write(remote, sockaddr, SocketAddresses.family(remote));
        synchronized (this) {
            inFlight++;
            try {
                loop.submit(Opcode.CONNECT, fd, sockaddr.address(), 0, length, userData(CONNECT), 0);
            } catch (IOException | RuntimeException e) {
                inFlight--;
                throw e;
            }
        }
    }

    @Override
    public Poll<StreamSocket> pollConnect(Context cx) throws IOException {
        synchronized (this) {
            if (runtimeShutDown) {
                throw RuntimeShutdown.error();
            }
            if (closed || handedOver) {
                throw new IOException("connect closed");
            }
            if (errno != 0) {
                throw connectFailure(errno);
            }
            if (!connected) {
                waker = cx.waker();
                return Poll.pending();
            }
            handedOver = true;
            driver.release(this);
        }
        try {
            return Poll.ready(driver.adopt(loop, fd, remote));
        } catch (IOException | RuntimeException e) {
            LibC.close(fd);
            throw e;
        }
    }

    @Override
    public void close() {
        Waker woken;
        synchronized (this) {
            if (closed || handedOver) {
                return;
            }
            closed = true;
            woken = waker;
            waker = null;
            if (inFlight > 0) {
                closeThroughRing(CONNECT);
            } else {
                LibC.close(fd);
                driver.release(this);
            }
        }
        if (woken != null) {
            woken.wake();
        }
    }

    @Override
    void complete(int kind, int result, int flags) {
        Waker woken = null;
        synchronized (this) {
            inFlight--;
            if (kind == CONNECT) {
                if (result == 0) {
                    connected = true;
                } else {
                    errno = -result;
                }
                woken = waker;
                waker = null;
            }
            if (closed && inFlight == 0) {
                driver.release(this);
            }
        }
        if (woken != null) {
            woken.wake();
        }
    }

    @Override
    void shutDown() {
        Waker woken;
        synchronized (this) {
            runtimeShutDown = true;
            woken = waker;
            waker = null;
            if (!closed && !handedOver) {
                closed = true;
                LibC.close(fd);
            }
        }
        if (woken != null) {
            woken.wake();
        }
    }

    /** The JDK's exception types for a failed connect: the callers test for them. */
    static IOException connectFailure(int errno) {
        return switch (errno) {
            case ECONNREFUSED, ETIMEDOUT -> new ConnectException(LibC.describe(errno));
            case EHOSTUNREACH -> new NoRouteToHostException(LibC.describe(errno));
            default -> failure(errno);
        };
    }

    @Override
    public String toString() {
        return "UringConnect[" + remote + "]";
    }
}
