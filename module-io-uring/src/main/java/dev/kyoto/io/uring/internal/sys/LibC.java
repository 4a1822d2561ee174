package dev.kyoto.io.uring.internal.sys;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The C library functions the io_uring driver calls, as downcalls through the Foreign Function
 * &amp; Memory API: the raw {@code syscall} (io_uring has no libc wrappers), {@code mmap} and
 * {@code munmap} for the rings, and the few file-descriptor calls around them.
 *
 * <p>Every call that can fail captures {@code errno} into a per-thread segment as it returns, so
 * that a later call on the same thread (a log line, the JVM's own work) cannot overwrite it:
 * {@link #errno()} reads the value the last such call on this thread left.
 */
public final class LibC {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    /** The option that makes a downcall save {@code errno} into {@link #capturedState()}. */
    static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final ThreadLocal<MemorySegment> CAPTURED = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;

    /** {@code long syscall(long number, ...)}, with six long arguments (unused ones are ignored by the kernel). */
    private static final MethodHandle SYSCALL = downcall("syscall",
            FunctionDescriptor.of(LONG, LONG, LONG, LONG, LONG, LONG, LONG, LONG), Linker.Option.firstVariadicArg(1), CAPTURE_ERRNO);
    private static final MethodHandle MMAP = downcall("mmap",
            FunctionDescriptor.of(LONG, LONG, LONG, INT, INT, INT, LONG), CAPTURE_ERRNO);
    private static final MethodHandle MUNMAP = downcall("munmap", FunctionDescriptor.of(INT, LONG, LONG), CAPTURE_ERRNO);
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(INT, INT), CAPTURE_ERRNO);
    private static final MethodHandle READ = downcall("read", FunctionDescriptor.of(LONG, INT, LONG, LONG), CAPTURE_ERRNO);
    private static final MethodHandle WRITE = downcall("write", FunctionDescriptor.of(LONG, INT, LONG, LONG), CAPTURE_ERRNO);
    private static final MethodHandle EVENTFD = downcall("eventfd", FunctionDescriptor.of(INT, INT, INT), CAPTURE_ERRNO);
    private static final MethodHandle STRERROR = downcall("strerror", FunctionDescriptor.of(ValueLayout.ADDRESS, INT));

    /** io_uring's system call numbers: one table for every architecture, since Linux 5.1. */
    public static final long SYS_IO_URING_SETUP = 425;
    public static final long SYS_IO_URING_ENTER = 426;
    public static final long SYS_IO_URING_REGISTER = 427;

    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int MAP_SHARED = 0x01;
    public static final int MAP_POPULATE = 0x8000;
    /** {@code mmap}'s failure value. */
    public static final long MAP_FAILED = -1;

    public static final int EFD_NONBLOCK = 0x800;
    public static final int EFD_CLOEXEC = 0x80000;

    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int EINVAL = 22;
    public static final int ETIME = 62;
    public static final int ECANCELED = 125;

    private LibC() {
    }

    /** A downcall handle for the C library's {@code name}; capturing ones take {@link #capturedState()} first. */
    static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment symbol = LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("the C library has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    /** {@code syscall(number, a1, …, a6)}: the result, or -1 with {@link #errno()} set. */
    public static long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6) {
        try {
            return (long) SYSCALL.invokeExact(CAPTURED.get(), number, a1, a2, a3, a4, a5, a6);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code mmap}: the address, or {@link #MAP_FAILED} with {@link #errno()} set. */
    public static long mmap(long addr, long length, int prot, int flags, int fd, long offset) {
        try {
            return (long) MMAP.invokeExact(CAPTURED.get(), addr, length, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code munmap}: 0, or -1 with {@link #errno()} set. */
    public static int munmap(long addr, long length) {
        try {
            return (int) MUNMAP.invokeExact(CAPTURED.get(), addr, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code close}: 0, or -1 with {@link #errno()} set. */
    public static int close(int fd) {
        try {
            return (int) CLOSE.invokeExact(CAPTURED.get(), fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code read} into native memory: bytes read, or -1 with {@link #errno()} set. */
    public static long read(int fd, MemorySegment buffer, long count) {
        try {
            return (long) READ.invokeExact(CAPTURED.get(), fd, buffer.address(), count);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code write} from native memory: bytes written, or -1 with {@link #errno()} set. */
    public static long write(int fd, MemorySegment buffer, long count) {
        try {
            return (long) WRITE.invokeExact(CAPTURED.get(), fd, buffer.address(), count);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code eventfd(initval, flags)}: the descriptor, or -1 with {@link #errno()} set. */
    public static int eventfd(int initval, int flags) {
        try {
            return (int) EVENTFD.invokeExact(CAPTURED.get(), initval, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** This thread's segment that capturing calls save {@code errno} into. */
    static MemorySegment capturedState() {
        return CAPTURED.get();
    }

    /** The {@code errno} that the last capturing call on this thread returned with. */
    public static int errno() {
        return (int) ERRNO.get(CAPTURED.get(), 0L);
    }

    /** {@code strerror(errno)}: the C library's text for an error number. */
    public static String describe(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** An {@link IOException} for {@code call} having failed with {@code errno}, in the C library's words. */
    public static IOException failure(String call, int errno) {
        return new IOException(call + " failed: " + describe(errno) + " (errno " + errno + ")");
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("a native call threw a checked exception", t);
    }
}
