package dev.kyoto.io.uring.internal.sys;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.net.SocketException;

/**
 * The system calls of a datagram socket (UDP or Unix-domain) that do not go through the ring: a
 * receive or send that does not wait (the driver waits for readiness in the ring, then calls
 * these, as a selector's user does), {@code connect}, which for datagrams only sets the peer,
 * and {@code socketpair}.
 */
public final class Datagrams {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final MethodHandle RECVFROM = LibC.downcall("recvfrom",
            FunctionDescriptor.of(LONG, INT, LONG, LONG, INT, LONG, LONG), LibC.CAPTURE_ERRNO);
    private static final MethodHandle SENDTO = LibC.downcall("sendto",
            FunctionDescriptor.of(LONG, INT, LONG, LONG, INT, LONG, INT), LibC.CAPTURE_ERRNO);
    private static final MethodHandle CONNECT = LibC.downcall("connect",
            FunctionDescriptor.of(INT, INT, ValueLayout.ADDRESS, INT), LibC.CAPTURE_ERRNO);
    private static final MethodHandle SOCKETPAIR = LibC.downcall("socketpair",
            FunctionDescriptor.of(INT, INT, INT, INT, ValueLayout.ADDRESS), LibC.CAPTURE_ERRNO);

    public static final int MSG_PEEK = 0x2;
    /** The largest UDP payload (IPv6 jumbograms aside): a datagram never needs more room. */
    public static final int MAX_DATAGRAM = 65_535;
    /** Each thread's native room: the sender's or target's address, its length, then a datagram. */
    private static final long ADDRESS_LENGTH = 112;
    private static final long DATA = 128;
    private static final ThreadLocal<MemorySegment> SCRATCH = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate(DATA + MAX_DATAGRAM, 64));

    private Datagrams() {
    }

    /**
     * This thread's native room for a datagram of up to {@link #MAX_DATAGRAM} bytes, for a heap
     * buffer to receive into or send from; valid until this thread's next call here.
     */
    public static MemorySegment scratch() {
        return SCRATCH.get().asSlice(DATA, MAX_DATAGRAM);
    }

    /**
     * {@code recvfrom} without waiting into {@code count} bytes at {@code buffer} (a datagram
     * larger is truncated): the bytes received, or {@code -errno}. The sender is then
     * {@link #sender()}.
     */
    public static long recvFrom(int fd, long buffer, long count, int flags) {
        MemorySegment s = SCRATCH.get();
        s.set(INT, ADDRESS_LENGTH, SocketAddresses.UNIX_SIZE);
        try {
            long n = (long) RECVFROM.invokeExact(LibC.capturedState(), fd, buffer, count, flags | Sockets.MSG_DONTWAIT,
                    s.address(), s.address() + ADDRESS_LENGTH);
            return n < 0 ? -LibC.errno() : n;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** The sender of the datagram this thread's last {@link #recvFrom} received. */
    public static SocketAddress sender() {
        MemorySegment s = SCRATCH.get();
        return SocketAddresses.read(s, s.get(INT, ADDRESS_LENGTH));
    }

    /**
     * {@code sendto} without waiting of {@code count} bytes at {@code buffer} to {@code target},
     * written for a socket of {@code family}, or to the connected peer if {@code target} is null:
     * the bytes sent, or {@code -errno}.
     */
    public static long sendTo(int fd, long buffer, long count, SocketAddress target, short family) {
        MemorySegment s = SCRATCH.get();
        long address = 0;
        int length = 0;
        if (target != null) {
            length = SocketAddresses.write(target, s, family);
            address = s.address();
        }
        try {
            long n = (long) SENDTO.invokeExact(LibC.capturedState(), fd, buffer, count,
                    Sockets.MSG_DONTWAIT | Sockets.MSG_NOSIGNAL, address, length);
            return n < 0 ? -LibC.errno() : n;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /**
     * Connects the datagram socket {@code fd}, written for a socket of {@code family}, to
     * {@code peer}: a {@link ConnectException} if nothing is bound there (a Unix path's file
     * left over), else a {@link SocketException} with the system's reason.
     */
    public static void connect(int fd, SocketAddress peer, short family) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sockaddr = arena.allocate(SocketAddresses.UNIX_SIZE, 8);
            int len = SocketAddresses.write(peer, sockaddr, family);
            if ((int) CONNECT.invokeExact(LibC.capturedState(), fd, sockaddr, len) < 0) {
                int errno = LibC.errno();
                throw errno == Sockets.ECONNREFUSED ? new ConnectException(LibC.describe(errno)) : new SocketException(LibC.describe(errno));
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** Two connected, non-blocking, close-on-exec Unix-domain datagram sockets. */
    public static int[] unixPair() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(INT, 2);
            int type = Sockets.SOCK_DGRAM | Sockets.SOCK_NONBLOCK | Sockets.SOCK_CLOEXEC;
            if ((int) SOCKETPAIR.invokeExact(LibC.capturedState(), (int) SocketAddresses.AF_UNIX, type, 0, fds) < 0) {
                throw LibC.failure("socketpair", LibC.errno());
            }
            return new int[] {fds.getAtIndex(INT, 0), fds.getAtIndex(INT, 1)};
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }
}
