package dev.kyoto.io.internal.reactor;

import dev.kyoto.io.Ready;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.spi.Coop;
import dev.kyoto.runtime.spi.RuntimeShutdown;
import java.io.IOException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;

/**
 * One resource's registration with the reactor: waits for and clears its readiness.
 *
 * <p>A readiness event is the {@link ScheduledIo} word observed when the resource was ready;
 * {@code 0} means pending. Pass the event back to a clear method after an operation would block,
 * so a readiness that arrived meanwhile (a newer tick) is kept.
 *
 * <p>Two ways to wait. The single-slot path ({@link #pollReadReady}, {@link #pollWriteReady})
 * keeps one reader and one writer waker and allocates nothing: at most one task reads and one
 * task writes at a time. The multi-waiter path ({@link #pollReadiness} with a
 * {@link ReadinessWaiter} per wait) serves any number of tasks at once.
 *
 * <p>After {@link #deregister()} every wait fails with an {@link IOException} saying the resource
 * is closed ("stream closed", "listener closed", "socket closed"), and waiters are woken to see it.
 */
public final class Registration {
    /** What the poll methods return while the resource is not ready. */
    public static final int PENDING = ScheduledIo.PENDING;

    private final SelectorReactor reactor;
    private final ScheduledIo io;
    private final int readOp;

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
        } else {
            checkUsable(event);
        }
        return event;
    }

    /** A node for one multi-path wait on {@code mask}'s readiness bits ({@link dev.kyoto.io.Ready#bits()}). */
    public ReadinessWaiter newWaiter(int mask) {
        return new ReadinessWaiter(mask);
    }

    /**
     * Readiness for {@code node}'s mask, or {@link #PENDING} after queueing {@code node} with the
     * poll's waker. Any number of tasks may wait at once, each with its own node; once this
     * returns an event the node is no longer queued. Spends budget as the single-slot path does.
     *
     * @throws IOException the closed or shutdown error; the node is no longer queued
     */
    public int pollReadiness(Context cx, ReadinessWaiter node) throws IOException {
        if (!Coop.proceed(cx)) {
            return PENDING;
        }
        int stop = node.mask | ScheduledIo.CLOSED;
        ReadinessWaiters waiters = io.waiters;
        for (;;) {
            int w = io.word();
            if ((w & stop) != 0 || w < 0) {
                cancelWait(node);
                checkUsable(w);
                return w;
            }
            if (node.waiting && waiters.stillQueued(node, cx.waker())) {
                Coop.refund();
                return PENDING;
            }
            w = waiters.enqueue(node, cx.waker(), io);
            node.waiting = true;
            if ((w & stop) == 0 && w >= 0) {
                Coop.refund();
                return PENDING;
            }
        }
    }

    /** Ends {@code node}'s wait, if it waits: a cancelled computation leaves nothing queued. */
    public void cancelWait(ReadinessWaiter node) {
        if (node.waiting) {
            node.waiting = false;
            io.waiters.remove(node);
        }
    }

    /**
     * The current readiness event if any of {@code mask} is ready, else {@link #PENDING}; never
     * waits. For a {@code try…} operation, which clears the event if it would block.
     *
     * @throws IOException the closed or shutdown error
     */
    public int readyEvent(int mask) throws IOException {
        int w = io.word();
        checkUsable(w);
        return (w & mask) != 0 ? w : PENDING;
    }

    /** After an operation would block: clears the {@code mask} readiness seen in {@code event}. */
    public void clearReadiness(int event, int mask) {
        if ((mask & Ready.READABLE.bits()) != 0) {
            clearReadReady(event);
        }
        if ((mask & Ready.WRITABLE.bits()) != 0) {
            clearWriteReady(event);
        }
    }

    private void checkUsable(int word) throws IOException {
        if (ScheduledIo.isClosed(word)) {
            throw closedError();
        }
        if (word < 0) {
            throw RuntimeShutdown.error();
        }
    }

    private IOException closedError() {
        SelectableChannel ch = io.key.channel();
        String what = ch instanceof ServerSocketChannel ? "listener" : ch instanceof DatagramChannel ? "socket" : "stream";
        return new IOException(what + " closed");
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

    /**
     * Removes the registration and wakes every waiter, whose waits then fail with the closed
     * error; idempotent. Called by the owner of the channel, which then closes it.
     */
    public void deregister() {
        if (io.close()) {
            reactor.deregister(io);
        }
    }
}
