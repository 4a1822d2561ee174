package dev.kyoto.net;

import dev.kyoto.io.Interest;
import dev.kyoto.io.IoOperation;
import dev.kyoto.io.PollEvented;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * A receive or a peek on a {@link UdpSocket}, on the multi-waiter path: any number of these may
 * wait on one socket at once, each woken on its own.
 *
 * <p>It waits with {@link PollEvented#asyncIo} for read (or error) readiness and then takes the
 * datagram held by the socket's {@link PeekSlot}, if any, before reading the socket. While it is
 * pending it is also registered with the slot, and checks it once more after registering, so a
 * datagram a peek on another task took off the socket cannot be missed (see {@link PeekSlot}).
 *
 * @param <R> the result: the byte count or the sender
 */
final class DatagramRecv<R> implements Async<R> {
    /** Read readiness, and errors: an ICMP-induced error (connection refused) wakes a receiver too. */
    static final Interest READ_OR_ERROR = Interest.READABLE.add(Interest.ERROR);

    /** Turns a completed receive into the computation's result. */
    @FunctionalInterface
    interface Result<R> {
        R of(InetSocketAddress sender, int bytes);
    }

    static final Result<Integer> BYTES = (sender, bytes) -> bytes;
    static final Result<InetSocketAddress> SENDER = (sender, bytes) -> sender;

    private final PollEvented<DatagramChannel> io;
    private final PeekSlot slot;
    private final ByteBuffer dst;
    private final boolean peek;
    private final Result<R> result;
    private final PeekSlot.Waiter waiter = new PeekSlot.Waiter();
    private Async<InetSocketAddress> inner;

    /**
     * @param dst  where the datagram goes (null: a peek that wants only the sender)
     * @param peek true to leave the datagram in the slot for the next receive
     */
    DatagramRecv(PollEvented<DatagramChannel> io, PeekSlot slot, ByteBuffer dst, boolean peek, Result<R> result) {
        this.io = io;
        this.slot = slot;
        this.dst = dst;
        this.peek = peek;
        this.result = result;
    }

    /** Takes (or, for a peek, copies) the held datagram, else reads the socket; null means "would block". */
    static IoOperation<DatagramChannel, InetSocketAddress> operation(PeekSlot slot, ByteBuffer dst, boolean peek) {
        if (peek) {
            return ch -> slot.peek(ch, dst);
        }
        return ch -> {
            InetSocketAddress held = slot.isFull() ? slot.take(dst) : null;
            return held != null ? held : (InetSocketAddress) ch.receive(dst);
        };
    }

    @Override
    public Poll<R> poll(Context cx) throws Exception {
        try {
            return attempt(cx);
        } catch (Exception e) {
            // A failed computation is never cancelled: leave nothing queued with the slot.
            slot.unregister(waiter);
            throw e;
        }
    }

    private Poll<R> attempt(Context cx) throws Exception {
        int start = dst == null ? 0 : dst.position();
        InetSocketAddress from = slot.isFull() ? fromSlot() : null;
        if (from != null) {
            dropInner();
            return done(from, start);
        }
        if (inner == null) {
            inner = io.asyncIo(READ_OR_ERROR, operation(slot, dst, peek));
        }
        Poll<InetSocketAddress> p = inner.poll(cx);
        if (p.isReady()) {
            return done(p.value(), start);
        }
        slot.register(waiter, cx.waker());
        // A peek on another task may have filled the slot after the attempt above found the socket
        // empty; the reactor may not report that datagram, so look here rather than wait for it.
        from = slot.isFull() ? fromSlot() : null;
        if (from != null) {
            dropInner();
            return done(from, start);
        }
        return Poll.pending();
    }

    /** Abandons the socket wait of an earlier poll: the held datagram served this one instead. */
    private void dropInner() {
        if (inner != null) {
            inner.cancel();
            inner = null;
        }
    }

    private InetSocketAddress fromSlot() throws IOException {
        return peek ? slot.peek(io.channel(), dst) : slot.take(dst);
    }

    private Poll<R> done(InetSocketAddress from, int start) {
        slot.unregister(waiter);
        return Poll.ready(result.of(from, dst == null ? 0 : dst.position() - start));
    }

    @Override
    public void cancel() {
        slot.unregister(waiter);
        if (inner != null) {
            inner.cancel();
        }
    }
}
