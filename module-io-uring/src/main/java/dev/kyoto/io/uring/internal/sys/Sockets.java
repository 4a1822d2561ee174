package dev.kyoto.io.uring.internal.sys;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;

/**
 * The socket calls that are not ring operations: {@code socket}, {@code setsockopt},
 * {@code getsockopt}, {@code bind}, {@code listen}, {@code getsockname}, {@code getpeername} and
 * {@code shutdown}. Accepting, connecting, sending and receiving go through the ring. Every socket
 * is made non-blocking and close-on-exec, as the JDK makes its own. Errors read as the JDK's do
 * where a caller may test for them: a failed bind is a {@link BindException} with the C library's
 * text ("Address already in use").
 */
public final class Sockets {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final MethodHandle SOCKET = LibC.downcall("socket", FunctionDescriptor.of(INT, INT, INT, INT), LibC.CAPTURE_ERRNO);
    private static final MethodHandle SETSOCKOPT = LibC.downcall("setsockopt",
            FunctionDescriptor.of(INT, INT, INT, INT, ValueLayout.ADDRESS, INT), LibC.CAPTURE_ERRNO);
    private static final MethodHandle BIND = LibC.downcall("bind", FunctionDescriptor.of(INT, INT, ValueLayout.ADDRESS, INT), LibC.CAPTURE_ERRNO);
    private static final MethodHandle LISTEN = LibC.downcall("listen", FunctionDescriptor.of(INT, INT, INT), LibC.CAPTURE_ERRNO);
    private static final MethodHandle GETSOCKNAME = LibC.downcall("getsockname",
            FunctionDescriptor.of(INT, INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS), LibC.CAPTURE_ERRNO);
    private static final MethodHandle GETPEERNAME = LibC.downcall("getpeername",
            FunctionDescriptor.of(INT, INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS), LibC.CAPTURE_ERRNO);
    private static final MethodHandle GETSOCKOPT = LibC.downcall("getsockopt",
            FunctionDescriptor.of(INT, INT, INT, INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS), LibC.CAPTURE_ERRNO);
    private static final MethodHandle SHUTDOWN = LibC.downcall("shutdown", FunctionDescriptor.of(INT, INT, INT), LibC.CAPTURE_ERRNO);
    private static final MethodHandle SEND = LibC.downcall("send",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, INT), LibC.CAPTURE_ERRNO);
    private static final MethodHandle SENDMSG = LibC.downcall("sendmsg",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, INT, ValueLayout.JAVA_LONG, INT), LibC.CAPTURE_ERRNO);
    private static final MethodHandle RECV = LibC.downcall("recv",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, INT), LibC.CAPTURE_ERRNO);

    /** The most buffers one {@link #sendGathering} takes; more are left for the next call. */
    public static final int MAX_GATHER = 32;
    /** {@code struct msghdr}: {@code msg_iov} at 16, {@code msg_iovlen} at 24, 56 bytes in all; the {@code iovec}s follow it. */
    private static final long MSGHDR_SIZE = 56;
    private static final long MSG_IOV = 16;
    private static final long MSG_IOVLEN = 24;
    private static final long IOVEC_SIZE = 16;
    /** Each thread's {@code msghdr} and {@code iovec}s for {@link #sendGathering}: filled and used within one call. */
    private static final ThreadLocal<MemorySegment> GATHER = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate(MSGHDR_SIZE + IOVEC_SIZE * MAX_GATHER, 8));

    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_REUSEADDR = 2;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_KEEPALIVE = 9;
    public static final int SO_ERROR = 4;
    public static final int SO_LINGER = 13;
    public static final int SO_REUSEPORT = 15;
    public static final int IPPROTO_IP = 0;
    public static final int IP_TTL = 2;
    public static final int IPPROTO_IPV6 = 41;
    public static final int IPV6_UNICAST_HOPS = 16;
    public static final int IPPROTO_TCP = 6;
    public static final int TCP_NODELAY = 1;
    public static final int SHUT_WR = 1;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int EPIPE = 32;
    public static final int ENOTCONN = 107;
    public static final int ECONNRESET = 104;
    public static final int ECONNREFUSED = 111;
    private static final int EADDRINUSE = 98;

    private Sockets() {
    }

    /** A new non-blocking, close-on-exec TCP socket for addresses like {@code address}. */
    public static int tcpSocket(InetSocketAddress address) throws IOException {
        return tcpSocket(SocketAddresses.family(address));
    }

    /** A new non-blocking, close-on-exec TCP socket of {@code family} ({@code AF_INET} or {@code AF_INET6}). */
    public static int tcpSocket(short family) throws IOException {
        return socket(family, SOCK_STREAM);
    }

    /** A new non-blocking, close-on-exec socket of {@code family} and {@code type} ({@code SOCK_STREAM} or {@code SOCK_DGRAM}). */
    public static int socket(short family, int type) throws IOException {
        try {
            int fd = (int) SOCKET.invokeExact(LibC.capturedState(), (int) family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw LibC.failure("socket", LibC.errno());
            }
            return fd;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /**
     * A listening TCP socket bound to {@code address} (port 0: any free one), with
     * {@code SO_REUSEADDR} as the JDK's server sockets have it. Closed again if any step fails.
     */
    public static int listen(InetSocketAddress address, int backlog) throws IOException {
        int fd = tcpSocket(address);
        try {
            setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1);
            bind(fd, address);
            listen(fd, backlog);
            return fd;
        } catch (IOException | RuntimeException e) {
            LibC.close(fd);
            throw e;
        }
    }

    /** A listening Unix-domain stream socket bound to {@code path}; closed again if any step fails. */
    public static int listen(UnixDomainSocketAddress path, int backlog) throws IOException {
        int fd = socket(SocketAddresses.AF_UNIX, SOCK_STREAM);
        boolean bound = false;
        try {
            bind(fd, path);
            bound = true;
            listen(fd, backlog);
            return fd;
        } catch (IOException | RuntimeException e) {
            LibC.close(fd);
            if (bound) {
                unlinkBound(path, e);
            }
            throw e;
        }
    }

    /**
     * Deletes the file that binding {@code path} created, for a socket given up after its bind:
     * left behind, it would make the next bind of the path fail ("Address already in use"). A
     * failure to delete it is added to {@code failure}, which the caller throws.
     */
    public static void unlinkBound(UnixDomainSocketAddress path, Exception failure) {
        try {
            Files.deleteIfExists(path.getPath());
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** Binds {@code fd} to {@code address}; a {@link BindException} with the system's reason if it cannot. */
    public static void bind(int fd, InetSocketAddress address) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sockaddr = arena.allocate(SocketAddresses.MAX_SIZE, 8);
            int len = SocketAddresses.write(address, sockaddr);
            if ((int) BIND.invokeExact(LibC.capturedState(), fd, sockaddr, len) < 0) {
                throw new BindException(LibC.describe(LibC.errno()));
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /**
     * Binds the Unix-domain socket {@code fd} to {@code path}: a {@link BindException} if the
     * path is taken, else a {@link SocketException} with the system's reason (a missing
     * directory, say).
     */
    public static void bind(int fd, UnixDomainSocketAddress path) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sockaddr = arena.allocate(SocketAddresses.UNIX_SIZE, 8);
            int len = SocketAddresses.write(path, sockaddr, SocketAddresses.AF_UNIX);
            if ((int) BIND.invokeExact(LibC.capturedState(), fd, sockaddr, len) < 0) {
                int errno = LibC.errno();
                throw errno == EADDRINUSE ? new BindException(LibC.describe(errno)) : new SocketException(LibC.describe(errno));
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** Makes {@code fd} listen with room for {@code backlog} pending connections. */
    public static void listen(int fd, int backlog) throws IOException {
        try {
            check((int) LISTEN.invokeExact(LibC.capturedState(), fd, backlog), "listen");
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** The address the internet socket {@code fd} is bound to. */
    public static InetSocketAddress localAddress(int fd) throws IOException {
        return (InetSocketAddress) boundAddress(fd);
    }

    /** The address the socket {@code fd} is bound to, of either kind (a Unix-domain one's may be unnamed). */
    public static SocketAddress boundAddress(int fd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sockaddr = arena.allocate(SocketAddresses.UNIX_SIZE, 8);
            MemorySegment len = arena.allocate(INT);
            len.set(INT, 0, SocketAddresses.UNIX_SIZE);
            check((int) GETSOCKNAME.invokeExact(LibC.capturedState(), fd, sockaddr, len), "getsockname");
            return SocketAddresses.read(sockaddr, len.get(INT, 0));
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** The address of the peer the socket {@code fd} is connected to. */
    public static InetSocketAddress remoteAddress(int fd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sockaddr = arena.allocate(SocketAddresses.MAX_SIZE, 8);
            MemorySegment len = arena.allocate(INT);
            len.set(INT, 0, SocketAddresses.MAX_SIZE);
            check((int) GETPEERNAME.invokeExact(LibC.capturedState(), fd, sockaddr, len), "getpeername");
            return SocketAddresses.read(sockaddr);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code setsockopt} of an option whose value is one {@code int}, or two ({@code struct linger}). */
    public static void setOption(int fd, int level, int name, int... value) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(4L * value.length, 4);
            for (int i = 0; i < value.length; i++) {
                v.setAtIndex(INT, i, value[i]);
            }
            check((int) SETSOCKOPT.invokeExact(LibC.capturedState(), fd, level, name, v, 4 * value.length), "setsockopt");
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code getsockopt} of an option of {@code ints} ints (1, or 2 for {@code struct linger}). */
    public static int[] option(int fd, int level, int name, int ints) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(4L * ints, 4);
            MemorySegment len = arena.allocate(INT);
            len.set(INT, 0, 4 * ints);
            check((int) GETSOCKOPT.invokeExact(LibC.capturedState(), fd, level, name, v, len), "getsockopt");
            int[] out = new int[ints];
            for (int i = 0; i < ints; i++) {
                out[i] = v.getAtIndex(INT, i);
            }
            return out;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code setsockopt} of an option whose value is a structure, given as its bytes ({@code struct ip_mreqn}, say). */
    public static void setOptionBytes(int fd, int level, int name, byte[] value) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(value.length, 8);
            MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, value.length);
            check((int) SETSOCKOPT.invokeExact(LibC.capturedState(), fd, level, name, v, value.length), "setsockopt");
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code getsockopt} of an option whose value is a structure of at most {@code size} bytes: the bytes the kernel wrote. */
    public static byte[] optionBytes(int fd, int level, int name, int size) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(size, 8);
            MemorySegment len = arena.allocate(INT);
            len.set(INT, 0, size);
            check((int) GETSOCKOPT.invokeExact(LibC.capturedState(), fd, level, name, v, len), "getsockopt");
            return v.asSlice(0, len.get(INT, 0)).toArray(ValueLayout.JAVA_BYTE);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code shutdown(fd, how)}: 0, or the {@code errno} it failed with. */
    public static int shutdown(int fd, int how) {
        try {
            int r = (int) SHUTDOWN.invokeExact(LibC.capturedState(), fd, how);
            return r < 0 ? LibC.errno() : 0;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code send} from native memory without waiting: bytes sent, or {@code -errno}. */
    public static long send(int fd, MemorySegment buffer, long count) {
        try {
            long n = (long) SEND.invokeExact(LibC.capturedState(), fd, buffer.address(), count, MSG_DONTWAIT | MSG_NOSIGNAL);
            return n < 0 ? -LibC.errno() : n;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /**
     * {@code sendmsg} of the remaining bytes of up to {@link #MAX_GATHER} direct buffers, in
     * order, without waiting: bytes sent, or {@code -errno}. The buffers' positions are left alone.
     */
    public static long sendGathering(int fd, ByteBuffer[] srcs) {
        MemorySegment msg = GATHER.get();
        int count = Math.min(srcs.length, MAX_GATHER);
        for (long field = 0; field < MSGHDR_SIZE; field += 8) {
            msg.set(ValueLayout.JAVA_LONG, field, 0L);
        }
        msg.set(ValueLayout.JAVA_LONG, MSG_IOV, msg.address() + MSGHDR_SIZE);
        msg.set(ValueLayout.JAVA_LONG, MSG_IOVLEN, count);
        for (int i = 0; i < count; i++) {
            long iov = MSGHDR_SIZE + IOVEC_SIZE * i;
            msg.set(ValueLayout.JAVA_LONG, iov, MemorySegment.ofBuffer(srcs[i]).address());
            msg.set(ValueLayout.JAVA_LONG, iov + 8, srcs[i].remaining());
        }
        try {
            long n = (long) SENDMSG.invokeExact(LibC.capturedState(), fd, msg.address(), MSG_DONTWAIT | MSG_NOSIGNAL);
            return n < 0 ? -LibC.errno() : n;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code recv} into native memory without waiting: bytes received, 0 at end of stream, or {@code -errno}. */
    public static long recv(int fd, MemorySegment buffer, long count) {
        try {
            long n = (long) RECV.invokeExact(LibC.capturedState(), fd, buffer.address(), count, MSG_DONTWAIT);
            return n < 0 ? -LibC.errno() : n;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    private static void check(int result, String call) throws IOException {
        if (result < 0) {
            throw LibC.failure(call, LibC.errno());
        }
    }
}
