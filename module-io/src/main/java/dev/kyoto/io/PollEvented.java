package dev.kyoto.io;

import dev.kyoto.io.internal.reactor.Registration;
import dev.kyoto.io.internal.reactor.SelectorReactor;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.spi.DriverHandle;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;

/**
 * A non-blocking channel registered with the current runtime's reactor: the bridge on which
 * Kyoto's sockets are built, and the tool for writing your own.
 *
 * <p>Each {@code poll…} method tries the operation when the channel is ready; when the operation
 * would block it clears the readiness it saw (keeping any that arrived meanwhile) and waits for
 * the next, so a pending poll costs no system call. Polls allocate nothing while pending.
 *
 * <p>Two ways to wait, as in Tokio. The {@code poll…} methods keep one reader and one writer
 * waker: at most one task may read and one task may write at a time, and a second task polling
 * the same direction takes the first one's place. {@link #ready(Interest)} and
 * {@link #asyncIo(Interest, IoOperation)} wait on the multi-waiter path instead, where any number
 * of tasks may wait at once (readiness checks, concurrent accepts, datagram receives), each wait
 * waking its own task. {@link #tryIo(Interest, IoOperation)} never waits.
 *
 * <p>After {@link #close()}, every wait and operation fails with an {@link IOException} saying
 * the resource is closed, and tasks that were waiting are woken to see it.
 *
 * <pre>{@code
 * PollEvented<SocketChannel> io = PollEvented.register(channel, Interest.READABLE.add(Interest.WRITABLE));
 * Async<Integer> read = cx -> io.pollRead(cx, buffer);
 * }</pre>
 *
 * @param <C> the channel type
 */
public final class PollEvented<C extends SelectableChannel> implements AsyncRead, AsyncWrite, AutoCloseable {
    private final C channel;
    private final Registration registration;

    private PollEvented(C channel, Registration registration) {
        this.channel = channel;
        this.registration = registration;
    }

    /**
     * Switches {@code channel} to non-blocking mode and registers it with the reactor of the
     * runtime running on this thread. If registration fails the channel is left open: the caller
     * still owns it.
     *
     * @throws IOException the runtime's shutdown error if it is shutting down, or the channel's failure
     * @throws IllegalStateException if no runtime runs on this thread, or it was built without I/O
     */
    public static <C extends SelectableChannel> PollEvented<C> register(C channel, Interest interest) throws IOException {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(interest, "interest");
        SelectorReactor reactor = SelectorReactor.forChannels(DriverHandle.current().io().driver());
        return new PollEvented<>(channel, reactor.register(channel, interest));
    }

    /** The channel. Do not change its blocking mode or register it elsewhere. */
    public C channel() {
        return channel;
    }

    /**
     * Reads into {@code dst} when the channel is readable.
     *
     * @return the number of bytes read, -1 at end of stream, or pending
     * @throws ClassCastException if the channel is not a {@link ReadableByteChannel}
     */
    @Override
    public Poll<Integer> pollRead(Context cx, ByteBuffer dst) throws IOException {
        ReadableByteChannel in = (ReadableByteChannel) channel;
        for (;;) {
            int event = registration.pollReadReady(cx);
            if (event == Registration.PENDING) {
                return Poll.pending();
            }
            int wanted = dst.remaining();
            if (wanted == 0) {
                return Poll.ready(0);
            }
            int n = in.read(dst);
            if (n > 0) {
                if (n < wanted) {
                    // A short read drained the socket: wait for the next event instead of paying
                    // for a read that would only say "would block".
                    registration.clearReadReady(event);
                }
                return Poll.ready(n);
            }
            if (n < 0) {
                registration.setReadClosed();
                return Poll.ready(-1);
            }
            registration.clearReadReady(event);
        }
    }

    /**
     * Writes from {@code src} when the channel is writable.
     *
     * @return the number of bytes written (0 only if {@code src} is empty), or pending
     * @throws ClassCastException if the channel is not a {@link WritableByteChannel}
     */
    @Override
    public Poll<Integer> pollWrite(Context cx, ByteBuffer src) throws IOException {
        WritableByteChannel out = (WritableByteChannel) channel;
        for (;;) {
            int event = registration.pollWriteReady(cx);
            if (event == Registration.PENDING) {
                return Poll.pending();
            }
            int wanted = src.remaining();
            if (wanted == 0) {
                return Poll.ready(0);
            }
            int n = out.write(src);
            if (n > 0) {
                if (n < wanted) {
                    registration.clearWriteReady(event);
                }
                return Poll.ready(n);
            }
            registration.clearWriteReady(event);
        }
    }

    /**
     * Runs {@code op} when the channel is readable (for a listener: has a connection to accept),
     * until it stops returning null ("would block").
     */
    public <R> Poll<R> pollReadIo(Context cx, IoOperation<? super C, R> op) throws IOException {
        for (;;) {
            int event = registration.pollReadReady(cx);
            if (event == Registration.PENDING) {
                return Poll.pending();
            }
            R r = op.attempt(channel);
            if (r != null) {
                return Poll.ready(r);
            }
            registration.clearReadReady(event);
        }
    }

    /**
     * Runs {@code op} when the channel is writable (for a connecting socket: the connect
     * finished), until it stops returning null ("would block").
     */
    public <R> Poll<R> pollWriteIo(Context cx, IoOperation<? super C, R> op) throws IOException {
        for (;;) {
            int event = registration.pollWriteReady(cx);
            if (event == Registration.PENDING) {
                return Poll.pending();
            }
            R r = op.attempt(channel);
            if (r != null) {
                return Poll.ready(r);
            }
            registration.clearWriteReady(event);
        }
    }

    /**
     * Writes from {@code srcs} in order, with one gathering write, when the channel is writable.
     *
     * @return the number of bytes written (0 only if every buffer is empty), or pending
     * @throws ClassCastException if the channel is not a {@link GatheringByteChannel}
     */
    @Override
    public Poll<Long> pollWriteVectored(Context cx, ByteBuffer[] srcs) throws IOException {
        GatheringByteChannel out = (GatheringByteChannel) channel;
        for (;;) {
            int event = registration.pollWriteReady(cx);
            if (event == Registration.PENDING) {
                return Poll.pending();
            }
            long wanted = 0;
            for (ByteBuffer b : srcs) {
                wanted += b.remaining();
            }
            if (wanted == 0) {
                return Poll.ready(0L);
            }
            long n = out.write(srcs);
            if (n > 0) {
                if (n < wanted) {
                    registration.clearWriteReady(event);
                }
                return Poll.ready(n);
            }
            registration.clearWriteReady(event);
        }
    }

    /**
     * Read readiness on the single-slot reader path: the readiness (readable or read-closed), or
     * pending with this task stored as the reader. For hand-written computations.
     */
    public Poll<Ready> pollReadReady(Context cx) throws IOException {
        int event = registration.pollReadReady(cx);
        return event == Registration.PENDING ? Poll.pending()
                : Poll.ready(Registration.readiness(event).intersection(Interest.READABLE));
    }

    /**
     * Write readiness on the single-slot writer path: the readiness (writable or write-closed), or
     * pending with this task stored as the writer. For hand-written computations.
     */
    public Poll<Ready> pollWriteReady(Context cx) throws IOException {
        int event = registration.pollWriteReady(cx);
        return event == Registration.PENDING ? Poll.pending()
                : Poll.ready(Registration.readiness(event).intersection(Interest.WRITABLE));
    }

    /**
     * Waits until the channel has some readiness that satisfies {@code interest}, and completes
     * with that readiness. Any number of tasks may wait at once. Readiness is a hint: the next
     * operation may still find nothing to do, and then {@link #tryIo} clears it so that the next
     * wait really waits.
     */
    public Async<Ready> ready(Interest interest) {
        Objects.requireNonNull(interest, "interest");
        return new ReadyWait(registration, Ready.fromInterest(interest).bits());
    }

    /**
     * Runs {@code op} once if the channel is ready for {@code interest}, without waiting.
     *
     * @return the operation's result, or null if the channel is not ready or the operation would
     *         block (in which case the readiness it saw is cleared, so a later wait waits for new events)
     * @throws IOException the operation's failure, or the closed or shutdown error
     */
    public <R> R tryIo(Interest interest, IoOperation<? super C, R> op) throws IOException {
        int mask = Ready.fromInterest(interest).bits();
        int event = registration.readyEvent(mask);
        if (event == Registration.PENDING) {
            return null;
        }
        R r = op.attempt(channel);
        if (r == null) {
            registration.clearReadiness(event, event & mask);
        }
        return r;
    }

    /**
     * Runs {@code op} when the channel is ready for {@code interest}, until it stops returning
     * null ("would block"). Any number of these may wait at once, each woken on its own.
     */
    public <R> Async<R> asyncIo(Interest interest, IoOperation<? super C, R> op) {
        Objects.requireNonNull(op, "op");
        return new AsyncIo<>(channel, registration, Ready.fromInterest(interest).bits(), op);
    }

    /** The readiness the reactor has recorded for the channel. */
    public Ready readiness() {
        return registration.readiness();
    }

    /**
     * Deregisters the channel from the reactor and leaves it open, for the caller to use
     * elsewhere; waits on this object then fail as after {@link #close()}. The JDK completes the
     * deregistration at the selector's next turn: until then {@link SelectableChannel#isRegistered()}
     * stays true and the channel's blocking mode cannot change. Idempotent.
     */
    public void deregister() {
        registration.deregister();
    }

    /** Deregisters the channel from the reactor and closes it. Idempotent. */
    @Override
    public void close() throws IOException {
        registration.deregister();
        channel.close();
    }
}
