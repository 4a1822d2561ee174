package dev.kyoto.io.uring.internal.sys;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The three epoll calls, for the driver's {@code EdgePoller}: {@code epoll_create1},
 * {@code epoll_ctl} and a {@code epoll_wait} that does not wait. On x86-64 a
 * {@code struct epoll_event} is packed: 12 bytes, the 32-bit event mask then the 64-bit data.
 */
public final class Epoll {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final MethodHandle CREATE = LibC.downcall("epoll_create1", FunctionDescriptor.of(INT, INT), LibC.CAPTURE_ERRNO);
    private static final MethodHandle CTL = LibC.downcall("epoll_ctl",
            FunctionDescriptor.of(INT, INT, INT, INT, ValueLayout.ADDRESS), LibC.CAPTURE_ERRNO);
    private static final MethodHandle WAIT = LibC.downcall("epoll_wait",
            FunctionDescriptor.of(INT, INT, ValueLayout.ADDRESS, INT, INT), LibC.CAPTURE_ERRNO);
    /** {@code sizeof(struct epoll_event)} on x86-64, where the struct is packed. */
    public static final long EVENT_SIZE = 12;
    private static final long EVENT_DATA = 4;
    /** Each thread's one event, for {@link #add}. */
    private static final ThreadLocal<MemorySegment> EVENT = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(EVENT_SIZE, 8));
    public static final int EPOLLIN = 0x1;
    public static final int EPOLLERR = 0x8;
    public static final int EPOLLHUP = 0x10;
    public static final int EPOLLRDHUP = 0x2000;
    public static final int EPOLLET = 1 << 31;
    private static final int EPOLL_CLOEXEC = 0x80000;
    private static final int EPOLL_CTL_ADD = 1;

    private Epoll() {
    }

    /** A new close-on-exec epoll instance. */
    public static int create() throws IOException {
        try {
            int fd = (int) CREATE.invokeExact(LibC.capturedState(), EPOLL_CLOEXEC);
            if (fd < 0) {
                throw LibC.failure("epoll_create1", LibC.errno());
            }
            return fd;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** Registers {@code fd} with {@code epfd} for {@code events}, reported with {@code data}: 0, or the negated errno. */
    public static int add(int epfd, int fd, int events, long data) {
        MemorySegment event = EVENT.get();
        event.set(INT, 0, events);
        event.set(ValueLayout.JAVA_LONG_UNALIGNED, EVENT_DATA, data);
        try {
            int r = (int) CTL.invokeExact(LibC.capturedState(), epfd, EPOLL_CTL_ADD, fd, event);
            return r < 0 ? -LibC.errno() : 0;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** Takes up to {@code max} ready events into {@code events} without waiting: how many, or the negated errno. */
    public static int poll(int epfd, MemorySegment events, int max) {
        try {
            int n = (int) WAIT.invokeExact(LibC.capturedState(), epfd, events, max, 0);
            return n < 0 ? -LibC.errno() : n;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** The event mask of the {@code i}th event in {@code events}. */
    public static int events(MemorySegment events, int i) {
        return events.get(INT, EVENT_SIZE * i);
    }

    /** The data of the {@code i}th event in {@code events}. */
    public static long data(MemorySegment events, int i) {
        return events.get(ValueLayout.JAVA_LONG_UNALIGNED, EVENT_SIZE * i + EVENT_DATA);
    }
}
