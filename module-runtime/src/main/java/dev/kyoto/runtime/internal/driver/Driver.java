package dev.kyoto.runtime.internal.driver;

import dev.kyoto.runtime.internal.time.Clock;
import dev.kyoto.runtime.internal.time.TimeDriver;
import dev.kyoto.runtime.spi.DriverHandle;
import dev.kyoto.runtime.spi.IoDriver;
import dev.kyoto.runtime.spi.IoHandle;

/**
 * A runtime's driver stack, built once, bottom up: the I/O driver when I/O is enabled, else a
 * plain thread parker; the time driver on top when time is enabled. {@code park} and
 * {@code unpark} pass down the stack: the time driver parks the layer below until the next
 * timer deadline, then fires due timers.
 */
public final class Driver {
    private final IoDriver io;
    private final String ioName;
    private final ParkThread parkThread;
    private final TimeDriver time;
    private final Clock clock;
    private final DriverHandle handle;

    /**
     * Builds a stack.
     *
     * @param io the I/O driver, or null for a runtime without I/O
     * @param ioName the name of the provider that opened {@code io}, or null without I/O
     * @param enableTime whether to put the time driver on top
     * @param clock the runtime's clock (read by timers, and by tests through the paused clock)
     */
    public Driver(IoDriver io, String ioName, boolean enableTime, Clock clock) {
        this.io = io;
        this.ioName = ioName;
        this.parkThread = io == null ? new ParkThread() : null;
        this.clock = clock;
        this.time = enableTime ? new TimeDriver(clock, new Below()) : null;
        this.handle = new DriverHandle(io != null ? new IoHandle.Enabled(io) : new IoHandle.Disabled(parkThread));
    }

    /** The layers under the time driver. */
    private final class Below implements TimeDriver.Below {
        @Override
        public void park(long timeoutNanos) {
            parkBelowTime(timeoutNanos);
        }

        @Override
        public void unpark() {
            unparkBelowTime();
        }
    }

    /** What driver modules see of this stack. */
    public DriverHandle handle() {
        return handle;
    }

    /** Parks the calling thread in the stack: see {@link IoDriver#park(long)}. */
    public void park(long timeoutNanos) {
        if (time != null) {
            time.park(timeoutNanos);
        } else {
            parkBelowTime(timeoutNanos);
        }
    }

    /** Submits what the I/O driver has queued: the calling thread stops driving the runtime. */
    public void flush() {
        if (io != null) {
            io.flush();
        }
    }

    /** Unparks the thread parked in the stack, or makes its next park return at once. */
    public void unpark() {
        if (time != null) {
            time.unpark();
        } else {
            unparkBelowTime();
        }
    }

    private void parkBelowTime(long timeoutNanos) {
        if (io != null) {
            io.park(timeoutNanos);
        } else {
            parkThread.park(timeoutNanos);
        }
    }

    private void unparkBelowTime() {
        if (io != null) {
            io.unpark();
        } else {
            parkThread.unpark();
        }
    }

    /**
     * Shuts the stack down, top first: every timer fires with the shutdown error, then every I/O
     * waiter is woken with it.
     */
    public void shutdown() {
        if (time != null) {
            time.shutdown();
        }
        if (io != null) {
            io.shutdown();
        }
    }

    /** The name of the I/O driver's provider ({@code nio}, {@code io_uring}), or null when I/O is disabled. */
    public String ioName() {
        return ioName;
    }

    /** The I/O driver, or null when I/O is disabled. */
    public IoDriver io() {
        return io;
    }

    /**
     * The time driver.
     *
     * @throws IllegalStateException naming the fix when time is disabled
     */
    public TimeDriver time() {
        if (time == null) {
            throw new IllegalStateException(
                    "a Kyoto runtime was found, but timers are disabled: call enableTime() (or enableAll()) on KyotoRuntime.Builder");
        }
        return time;
    }

    /** Whether the time driver is on. */
    public boolean timeEnabled() {
        return time != null;
    }

    /** Timers registered and not yet fired or cancelled; 0 when time is disabled. */
    public int timersArmed() {
        return time == null ? 0 : time.registered();
    }

    /**
     * Nanoseconds until the earliest timer is due (negative if overdue), or {@link Long#MAX_VALUE}
     * if none is registered or time is disabled.
     */
    public long nanosUntilNextTimer() {
        return time == null ? Long.MAX_VALUE : time.nanosUntilNextTimer();
    }

    /** The runtime's clock. */
    public Clock clock() {
        return clock;
    }
}
