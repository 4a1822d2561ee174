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
            return held();
        }
        if (inner == null) {
            inner = io.ready(interest);
        }
        Poll<Ready> p = inner.poll(cx);
        if (p.isReady() || !read) {
            slot.unregister(waiter);
            return p;
        }
        // As for a receive: a peek on another task may have filled the slot after the socket's
        // readiness was cleared, and the reactor may never report that datagram.
        slot.register(waiter, cx.waker());
        if (slot.isFull()) {
            inner.cancel();
            inner = null;
            return held();
        }
        return Poll.pending();
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
