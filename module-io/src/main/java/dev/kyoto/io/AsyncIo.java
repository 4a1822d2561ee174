package dev.kyoto.io;

import dev.kyoto.io.internal.reactor.ReadinessWaiter;
import dev.kyoto.io.internal.reactor.Registration;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.nio.channels.SelectableChannel;

/**
 * An operation retried on the multi-waiter path until it stops saying "would block": wait for
 * readiness, attempt, and on "would block" clear the readiness that was seen and wait again. Any
 * number of these may wait on one resource at once (concurrent accepts, datagram receives).
 */
final class AsyncIo<C extends SelectableChannel, R> implements Async<R> {
    private final C channel;
    private final Registration registration;
    private final ReadinessWaiter node;
    private final int mask;
    private final IoOperation<? super C, R> op;

    AsyncIo(C channel, Registration registration, int mask, IoOperation<? super C, R> op) {
        this.channel = channel;
        this.registration = registration;
        this.node = registration.newWaiter(mask);
        this.mask = mask;
        this.op = op;
    }

    @Override
    public Poll<R> poll(Context cx) throws IOException {
        for (;;) {
            int event = registration.pollReadiness(cx, node);
            if (event == Registration.PENDING) {
                return Poll.pending();
            }
            R r = op.attempt(channel);
            if (r != null) {
                return Poll.ready(r);
            }
            registration.clearReadiness(event, event & mask);
        }
    }

    @Override
    public void cancel() {
        registration.cancelWait(node);
    }
}
