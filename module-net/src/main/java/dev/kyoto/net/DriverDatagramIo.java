package dev.kyoto.net;

import dev.kyoto.io.Interest;
import dev.kyoto.io.Ready;
import dev.kyoto.io.spi.DatagramSocket;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;

/**
 * One receive or send on a driver's {@link DatagramSocket}, on the multi-waiter path: tries the
 * socket, and while it would block waits for the readiness the failed try cleared. Any number of
 * these may wait on one socket, each woken on its own.
 *
 * @param <R> the result: the byte count or the sender
 */
final class DriverDatagramIo<R> implements Async<R> {
    /** One attempt that does not wait: the result, or null when the socket would block. */
    @FunctionalInterface
    interface Attempt<R> {
        R run() throws IOException;
    }

    private final DatagramSocket socket;
    private final Interest interest;
    private final Attempt<R> attempt;
    /** The readiness wait after a try that would block; null while none is pending. */
    private Async<Ready> wait;

    DriverDatagramIo(DatagramSocket socket, Interest interest, Attempt<R> attempt) {
        this.socket = socket;
        this.interest = interest;
        this.attempt = attempt;
    }

    @Override
    public Poll<R> poll(Context cx) throws Exception {
        for (;;) {
            if (wait != null) {
                if (wait.poll(cx).isPending()) {
                    return Poll.pending();
                }
                wait = null;
            }
            R r = attempt.run();
            if (r != null) {
                return Poll.ready(r);
            }
            wait = socket.ready(interest);
        }
    }

    @Override
    public void cancel() {
        if (wait != null) {
            wait.cancel();
            wait = null;
        }
    }
}
