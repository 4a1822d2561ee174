package dev.kyoto.runtime.spi;

import dev.kyoto.runtime.internal.context.RuntimeContext;
import dev.kyoto.runtime.internal.scheduler.SchedulerHandle;
import java.util.Objects;
import java.util.Optional;

/**
 * What a driver module sees of the runtime it runs in: the runtime's I/O handle (and, as the
 * time driver arrives, its time handle and clock).
 */
public final class DriverHandle {
    private final IoHandle io;

    /**
     * Created by the runtime when it builds its driver stack.
     *
     * @param io the runtime's I/O handle
     */
    public DriverHandle(IoHandle io) {
        this.io = Objects.requireNonNull(io, "io");
    }

    /** The runtime's I/O handle: {@link IoHandle.Enabled} or {@link IoHandle.Disabled}. */
    public IoHandle io() {
        return io;
    }

    /**
     * Whether the calling thread drives a runtime's I/O: a worker, or the thread inside a
     * current-thread runtime's {@code blockOn} while it runs the tasks. Such a thread parks on the
     * driver, or calls {@link IoDriver#flush()}, before it sleeps or stops, so a driver may leave
     * what it queued on it for that moment; what any other thread queues (a virtual thread's
     * await, a close from a plain thread) must reach the driver's waiting thread by other means.
     */
    public static boolean isDriverThread() {
        return RuntimeContext.get().drivesIo();
    }

    /**
     * The driver handle of the runtime that runs on this thread.
     *
     * @throws IllegalStateException if no Kyoto runtime is running on this thread
     */
    public static DriverHandle current() {
        return RuntimeContext.current().driverHandle();
    }

    /**
     * The I/O driver of the runtime that runs on this thread, or empty if none runs here or its
     * I/O is disabled: for what may be made with or without a runtime, and differently with one.
     */
    public static Optional<IoDriver> currentIoDriver() {
        SchedulerHandle s = RuntimeContext.currentOrNull();
        return s != null && s.driverHandle().io() instanceof IoHandle.Enabled(IoDriver driver)
                ? Optional.of(driver) : Optional.empty();
    }
}
