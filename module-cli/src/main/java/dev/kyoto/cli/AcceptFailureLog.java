package dev.kyoto.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;

/**
 * The echo server's warnings about the accept failures it rides out (see
 * {@link dev.kyoto.net.AcceptBackoff}): the first at once, then at most one line per
 * {@link #INTERVAL} however many follow, saying how many there were, since a process out of
 * descriptors fails an accept after every pause for as long as that lasts; and one line when
 * accepting works again after a warning.
 *
 * <pre>
 * kyoto echo-server: warning: cannot accept a connection on 127.0.0.1:7000: Too many open files; still listening, retrying in 5 ms
 * kyoto echo-server: warning: cannot accept a connection on 127.0.0.1:7000: Too many open files (and 9 more since the last warning); still listening, retrying in 1000 ms
 * kyoto echo-server: accepting connections again after 23 failed accepts
 * </pre>
 *
 * <p>Used by the accept loop's task only, one call at a time, so its fields need no
 * synchronization. It needs no class of the tool's but itself, loaded when it is made: out of
 * descriptors, the JVM cannot read a class file it had not read yet from a directory.
 */
final class AcceptFailureLog implements BiConsumer<IOException, Duration> {
    /** At most one warning per this long. */
    static final Duration INTERVAL = Duration.ofSeconds(10);

    private final PrintWriter err;
    private final String name;
    private final String address;
    private final LongSupplier nanoTime;
    /** Whether a warning was written at all, and when (a {@link #nanoTime} reading). */
    private boolean warned;
    private long lastWarning;
    /** Failures since the last warning that no line has counted yet. */
    private long unreported;
    /** Failures since the last accepted connection. */
    private long sinceAccepted;
    /** Whether a warning was written since the last accepted connection: only then is recovery news. */
    private boolean warnedSinceAccepted;

    /**
     * @param err where the lines go
     * @param name the command that writes them, for example {@code kyoto echo-server}
     * @param address the listener's address, {@code HOST:PORT}
     * @param nanoTime the clock that spaces the warnings, {@link System#nanoTime} but in tests
     */
    AcceptFailureLog(PrintWriter err, String name, String address, LongSupplier nanoTime) {
        this.err = err;
        this.name = name;
        this.address = address;
        this.nanoTime = nanoTime;
    }

    /** A failed accept, and the pause before the next: warns unless a warning was written less than {@link #INTERVAL} ago. */
    @Override
    public void accept(IOException failure, Duration pause) {
        sinceAccepted++;
        long now = nanoTime.getAsLong();
        if (warned && now - lastWarning < INTERVAL.toNanos()) {
            unreported++;
            return;
        }
        String reason = failure.getMessage() != null ? failure.getMessage() : failure.getClass().getSimpleName();
        err.println(name + ": warning: cannot accept a connection on " + address + ": " + reason
                + (unreported == 0 ? "" : " (and " + unreported + " more since the last warning)")
                + "; still listening, retrying in " + pause.toMillis() + " ms");
        err.flush();
        warned = true;
        lastWarning = now;
        unreported = 0;
        warnedSinceAccepted = true;
    }

    /** A connection was accepted: if failures were warned about since the last one, says that accepting works again. */
    void accepted() {
        if (warnedSinceAccepted) {
            err.println(name + ": accepting connections again after " + sinceAccepted + " failed accept"
                    + (sinceAccepted == 1 ? "" : "s"));
            err.flush();
            warnedSinceAccepted = false;
        }
        sinceAccepted = 0;
    }
}
