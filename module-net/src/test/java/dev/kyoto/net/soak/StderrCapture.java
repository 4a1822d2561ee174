package dev.kyoto.net.soak;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Standard error taken aside while a test provokes failures that Kyoto logs (slf4j-simple writes
 * to whatever {@code System.err} is when it logs): the test can count what was logged, and the
 * build's output stays free of the stack traces of failures made on purpose. Test classes run one
 * at a time, so nothing else is expected to write meanwhile.
 */
final class StderrCapture implements AutoCloseable {
    private final PrintStream saved = System.err;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    private StderrCapture() {
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    }

    static StderrCapture start() {
        return new StderrCapture();
    }

    /** The lines written so far. */
    List<String> lines() {
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    /** The number of lines so far that contain {@code text}. */
    long count(String text) {
        return lines().stream().filter(l -> l.contains(text)).count();
    }

    /** Puts standard error back. */
    @Override
    public void close() {
        System.setErr(saved);
    }
}
