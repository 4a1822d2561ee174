package dev.kyoto.io;

import dev.kyoto.io.internal.reactor.ReadinessWaiter;
import dev.kyoto.io.internal.reactor.Registration;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;

/**
 * A wait for readiness on the multi-waiter path: completes with the part of the resource's
 * readiness that satisfies the interest. Cancelling it unqueues its node.
 */
final class ReadyWait implements Async<Ready> {
    private final Registration registration;
    private final ReadinessWaiter node;
    private final int mask;

    ReadyWait(Registration registration, int mask) {
        this.registration = registration;
        this.node = registration.newWaiter(mask);
        this.mask = mask;
    }

    @Override
    public Poll<Ready> poll(Context cx) throws IOException {
        int event = registration.pollReadiness(cx, node);
        if (event == Registration.PENDING) {
            return Poll.pending();
        }
        return Poll.ready(Ready.fromBits(Registration.readiness(event).bits() & mask));
    }

    @Override
    public void cancel() {
        registration.cancelWait(node);
    }
}
