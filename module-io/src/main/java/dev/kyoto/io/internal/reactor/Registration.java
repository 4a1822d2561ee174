package dev.kyoto.io.internal.reactor;

import dev.kyoto.io.Ready;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.spi.Coop;
import dev.kyoto.runtime.spi.RuntimeShutdown;
import java.io.IOException;

/**
 * One resource's registration with the reactor: waits for and clears its readiness.
 *
 * <p>A readiness event is the {@link ScheduledIo} word observed when the resource was ready;
 * {@code 0} means pending. Pass the event back to a clear method after an operation would block,
 * so a readiness that arrived meanwhile (a newer tick) is kept. At most one task reads and one
 * task writes at a time.
 */
public final class Registration {
    /** What the poll methods return while the resource is not ready. */
    public static final int PENDING = ScheduledIo.PENDING;

    private final SelectorReactor reactor;
    private final ScheduledIo io;
    private final int readOp;
    private boolean deregistered;

    Registration(SelectorReactor reactor, ScheduledIo io, int readOp) {
        this.reactor = reactor;
        this.io = io;
        this.readOp = readOp;
    }

    /**
     * Read readiness, or {@link #PENDING} after storing the poll's waker.
     *
     * @throws IOException the runtime's shutdown error once the reactor has shut down
     */
    public int pollReadReady(Context cx) throws IOException {
        return pollReady(cx, ScheduledIo.READ_MASK, false);
    }

    /**
     * Write readiness, or {@link #PENDING} after storing the poll's waker.
     *
     * @throws IOException the runtime's shutdown error once the reactor has shut down
     */
    public int pollWriteReady(Context cx) throws IOException {
        return pollReady(cx, ScheduledIo.WRITE_MASK, true);
    }

    /**
     * Every readiness check spends one unit of the task's cooperative budget, so a resource that
     * is always ready cannot keep its task on the thread forever; a check that finds nothing
     * ready gives the unit back.
     */
    private int pollReady(Context cx, int mask, boolean write) throws IOException {
        if (!Coop.proceed(cx)) {
            return PENDING;
        }
        int event = io.pollReady(cx, mask, write);
        if (event == PENDING) {
            Coop.refund();
        } else if (event < 0) {
            throw RuntimeShutdown.error();
        }
        return event;
    }

    /** After a read would block: clears read readiness seen in {@code event}, re-arming interest if needed. */
    public void clearReadReady(int event) {
        if (io.clearReadiness(event, Ready.READABLE.bits())) {
            reactor.rearmRead(io, readOp);
        }
    }

    /** After a write would block: clears write readiness seen in {@code event} and arms write interest. */
    public void clearWriteReady(int event) {
        if (io.clearReadiness(event, Ready.WRITABLE.bits())) {
            reactor.armWrite(io);
        }
    }

    /** Records end of stream: read-closed is sticky, so later reads proceed at once. */
    public void setReadClosed() {
        io.setReadiness(Ready.READ_CLOSED.bits());
    }

    /** The readiness in an event. */
    public static Ready readiness(int event) {
        return Ready.fromBits(ScheduledIo.readiness(event));
    }

    /** The readiness the resource has now. */
    public Ready readiness() {
        return readiness(io.word());
    }

    /** Removes the registration; idempotent. Called by the owner of the channel, which then closes it. */
    public void deregister() {
        if (!deregistered) {
            deregistered = true;
            reactor.deregister(io);
        }
    }
}
