package dev.kyoto.runtime.internal.driver;

import dev.kyoto.runtime.spi.DriverHandle;
import dev.kyoto.runtime.spi.IoDriver;
import dev.kyoto.runtime.spi.IoHandle;

/**
 * A runtime's driver stack, built once, bottom up: the I/O driver when I/O is enabled, else a
 * plain thread parker. {@code park} and {@code unpark} pass down the stack. (The time driver
 * joins on top of this layer.)
 */
public final class Driver {
    private final IoDriver io;
    private final ParkThread parkThread;
    private final DriverHandle handle;

    private Driver(IoDriver io, ParkThread parkThread) {
        this.io = io;
        this.parkThread = parkThread;
        this.handle = new DriverHandle(io != null ? new IoHandle.Enabled(io) : new IoHandle.Disabled(parkThread));
    }

    /** A stack over {@code io}. */
    public static Driver withIo(IoDriver io) {
        return new Driver(io, null);
    }

    /** A stack without I/O. */
    public static Driver withoutIo() {
        return new Driver(null, new ParkThread());
    }

    /** What driver modules see of this stack. */
    public DriverHandle handle() {
        return handle;
    }

    /** Parks the calling thread in the stack: see {@link IoDriver#park(long)}. */
    public void park(long timeoutNanos) {
        if (io != null) {
            io.park(timeoutNanos);
        } else {
            parkThread.park(timeoutNanos);
        }
    }

    /** Unparks the thread parked in the stack, or makes its next park return at once. */
    public void unpark() {
        if (io != null) {
            io.unpark();
        } else {
            parkThread.unpark();
        }
    }

    /** Shuts the stack down, waking every I/O waiter with the shutdown error. */
    public void shutdown() {
        if (io != null) {
            io.shutdown();
        }
    }

    /** The I/O driver, or null when I/O is disabled. */
    public IoDriver io() {
        return io;
    }
}
