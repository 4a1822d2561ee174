package dev.kyoto.net;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.time.Time;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * A connect bounded by a deadline on the runtime's timer, covering resolution and every attempt.
 * On expiry the connect is cancelled, which closes any half-open socket, and
 * {@link SocketTimeoutException} names the address and the limit; for a {@link TcpConnector}'s
 * race it also carries, suppressed, the failures of attempts that ended before the deadline.
 */
final class ConnectTimeout implements Async<TcpStream> {
    private final Async<TcpStream> connect;
    private final Async<TcpStream> bounded;
    private final Object target;
    private final Duration limit;

    ConnectTimeout(Async<TcpStream> connect, Object target, Duration limit) {
        if (limit.isNegative()) {
            throw new IllegalArgumentException("a connect timeout cannot be negative, was " + limit);
        }
        this.connect = connect;
        this.bounded = Time.timeout(limit, connect);
        this.target = target;
        this.limit = limit;
    }

    @Override
    public Poll<TcpStream> poll(Context cx) throws Exception {
        try {
            return bounded.poll(cx);
        } catch (TimeoutException e) {
            SocketTimeoutException timedOut = new SocketTimeoutException(
                    "connect to " + target + " timed out after " + limit.toMillis() + " ms");
            timedOut.initCause(e);
            if (connect instanceof HappyEyeballs race) {
                // Attempts that failed before the deadline explain why none connected in time.
                race.failures().forEach(timedOut::addSuppressed);
            }
            throw timedOut;
        }
    }

    @Override
    public void cancel() {
        bounded.cancel();
    }
}
