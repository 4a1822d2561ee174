package dev.kyoto.io.uring.internal.sys;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.InetSocketAddress;

/**
 * The socket calls that set a socket up before the ring takes over its I/O: {@code socket},
 * {@code setsockopt}, {@code bind}, {@code listen} and {@code getsockname}. Accepting,
 * connecting, sending and receiving are ring operations. Every socket is made non-blocking and
 * close-on-exec, as the JDK makes its own.
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

    public static final int SOCK_STREAM = 1;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_REUSEADDR = 2;
    public static final int ECONNREFUSED = 111;

    private Sockets() {
    }

    /** A new non-blocking, close-on-exec TCP socket for addresses like {@code address}. */
    public static int tcpSocket(InetSocketAddress address) throws IOException {
        try {
            int fd = (int) SOCKET.invokeExact(LibC.capturedState(), (int) SocketAddresses.family(address),
                    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
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
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment one = arena.allocate(INT);
            one.set(INT, 0, 1);
            check((int) SETSOCKOPT.invokeExact(LibC.capturedState(), fd, SOL_SOCKET, SO_REUSEADDR, one, 4), "setsockopt(SO_REUSEADDR)");
            MemorySegment sockaddr = arena.allocate(SocketAddresses.MAX_SIZE, 8);
            int len = SocketAddresses.write(address, sockaddr);
            check((int) BIND.invokeExact(LibC.capturedState(), fd, sockaddr, len), "bind to " + address);
            check((int) LISTEN.invokeExact(LibC.capturedState(), fd, backlog), "listen on " + address);
            return fd;
        } catch (Throwable t) {
            LibC.close(fd);
            if (t instanceof IOException e) {
                throw e;
            }
            throw LibC.rethrow(t);
        }
    }

    /** The address the socket {@code fd} is bound to. */
    public static InetSocketAddress localAddress(int fd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sockaddr = arena.allocate(SocketAddresses.MAX_SIZE, 8);
            MemorySegment len = arena.allocate(INT);
            len.set(INT, 0, SocketAddresses.MAX_SIZE);
            check((int) GETSOCKNAME.invokeExact(LibC.capturedState(), fd, sockaddr, len), "getsockname");
            return SocketAddresses.read(sockaddr);
        } catch (IOException e) {
            throw e;
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
