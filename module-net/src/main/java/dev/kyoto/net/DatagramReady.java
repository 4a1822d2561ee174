package dev.kyoto.net;

import dev.kyoto.io.Interest;
import dev.kyoto.io.PollEvented;
import dev.kyoto.io.Ready;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.nio.channels.DatagramChannel;

/**
 * A readiness wait on a {@link UdpSocket} ({@code ready}, {@code readable}, {@code writable}), on
 * the multi-waiter path. A datagram held by a peek counts as read readiness: the socket itself may
 * be empty, but the next receive completes at once.
 */
final class DatagramReady implements Async<Ready> {
    private final PollEvented<DatagramChannel> io;
    private final PeekSlot slot;
    private final Interest interest;
    private final PeekSlot.Waiter waiter = new PeekSlot.Waiter();
    private Async<Ready> inner;

    DatagramReady(PollEvented<DatagramChannel> io, PeekSlot slot, Interest interest) {
        this.io = io;
        this.slot = slot;
        this.interest = interest;
    }

    @Override
    public Poll<Ready> poll(Context cx) throws Exception {
        boolean read = interest.isReadable();
        if (read && slot.isFull()) {
            dropInner();
            return held();
        }
        if (inner == null) {
            inner = io.ready(interest);
        }
        Poll<Ready> p;
        try {
            p = inner.poll(cx);
        } catch (Exception e) {
            // A failed computation is never cancelled: leave nothing queued with the slot.
            slot.unregister(waiter);
            throw e;
        }
        if (p.isReady() || !read) {
            slot.unregister(waiter);
            return p;
        }
        // As for a receive: a peek on another task may have filled the slot after the socket's
        // readiness was cleared, and the reactor may never report that datagram.
        slot.register(waiter, cx.waker());
        if (slot.isFull()) {
            dropInner();
            return held();
        }
        return Poll.pending();
    }

    /** Abandons the socket wait of an earlier poll: the held datagram answered this one instead. */
    private void dropInner() {
        if (inner != null) {
            inner.cancel();
            inner = null;
        }
    }

    private Poll<Ready> held() {
        slot.unregister(waiter);
        return Poll.ready(Ready.READABLE.union(io.readiness().intersection(interest)));
    }

    @Override
    public void cancel() {
        slot.unregister(waiter);
        if (inner != null) {
            inner.cancel();
        }
    }
}
