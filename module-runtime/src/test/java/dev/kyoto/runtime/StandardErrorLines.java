package dev.kyoto.runtime;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What an action wrote to standard error, where slf4j-simple writes (it looks {@code System.err}
 * up at each line): the logging tests' view of what users see.
 */
final class StandardErrorLines {
    private StandardErrorLines() {
    }

    /** The lines {@code action} wrote to standard error; standard error is restored however it ends. */
    static List<String> of(ThrowingRunnable action) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }
}
