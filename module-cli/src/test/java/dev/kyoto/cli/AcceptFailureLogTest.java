package dev.kyoto.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The accept-failure warnings against a clock the test moves: rate-limited, counted, and followed by one recovery line. */
class AcceptFailureLogTest {
    private static final String WARNING = "kyoto echo-server: warning: cannot accept a connection on 127.0.0.1:7000: Too many open files";

    private final StringWriter out = new StringWriter();
    private long now;
    private final AcceptFailureLog log = new AcceptFailureLog(new PrintWriter(out), "kyoto echo-server", "127.0.0.1:7000",
            () -> now);

    private List<String> lines() {
        String text = out.toString();
        return text.isEmpty() ? List.of() : List.of(text.split(System.lineSeparator()));
    }

    private void fail(long pauseMillis) {
        log.accept(new IOException("Too many open files"), Duration.ofMillis(pauseMillis));
    }

    @Test
    void aStormOfFailuresIsOneWarningPerIntervalThenOneRecoveryLine() {
        fail(5);
        for (int i = 0; i < 100; i++) {
            now += Duration.ofMillis(50).toNanos();
            fail(1000);
        }
        assertEquals(List.of(WARNING + "; still listening, retrying in 5 ms"), lines(), "5 s of failures: one warning");

        now += Duration.ofSeconds(6).toNanos();
        fail(1000);
        log.accepted();
        log.accepted();
        assertEquals(List.of(
                WARNING + "; still listening, retrying in 5 ms",
                WARNING + " (and 100 more since the last warning); still listening, retrying in 1000 ms",
                "kyoto echo-server: accepting connections again after 102 failed accepts"), lines());
    }

    @Test
    void failuresBetweenAcceptsWithinTheIntervalAddNoLines() {
        fail(5);
        log.accepted();
        for (int i = 0; i < 50; i++) {
            now += Duration.ofMillis(10).toNanos();
            fail(5);
            log.accepted();
        }
        assertEquals(List.of(WARNING + "; still listening, retrying in 5 ms",
                "kyoto echo-server: accepting connections again after 1 failed accept"), lines());
    }

    @Test
    void acceptsWithoutFailuresSayNothing() {
        log.accepted();
        log.accepted();
        assertEquals(List.of(), lines());
    }
}
