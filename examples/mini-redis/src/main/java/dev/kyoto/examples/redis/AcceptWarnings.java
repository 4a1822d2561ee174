package dev.kyoto.examples.redis;

import java.io.IOException;
import java.time.Duration;
import java.util.function.BiConsumer;

/**
 * Warns about accept failures on standard error, at most once every ten seconds: out of
 * descriptors, every accept fails, once per pause of the back-off, for as long as that lasts.
 * Used by the accept loop's task only.
 */
final class AcceptWarnings implements BiConsumer<IOException, Duration> {
    private static final long INTERVAL_NANOS = Duration.ofSeconds(10).toNanos();
    private long lastWarning;
    private long unreported = -1;

    @Override
    public void accept(IOException failure, Duration pause) {
        long now = System.nanoTime();
        if (unreported >= 0 && now - lastWarning < INTERVAL_NANOS) {
            unreported++;
            return;
        }
        System.err.println("mini-redis: warning: cannot accept a connection: " + failure.getMessage()
                + (unreported > 0 ? " (and " + unreported + " more since the last warning)" : "")
                + "; retrying in " + pause.toMillis() + " ms");
        lastWarning = now;
        unreported = 0;
    }
}
