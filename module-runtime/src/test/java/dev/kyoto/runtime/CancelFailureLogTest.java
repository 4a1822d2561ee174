package dev.kyoto.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A close or an ensure action that fails while its computation is being cancelled cannot be
 * reported to anybody, so it is logged: one WARN line that says what failed and that it was
 * dropped. Runs in the "default-logging" surefire execution, where these loggers are at WARN as
 * they are for users; the module's other tests, which provoke the same failures, route them to
 * ERROR (src/test/resources/simplelogger.properties).
 */
@Tag("default-logging")
class CancelFailureLogTest {
    private static final Context CX = new Context(Waker.noop());

    @Test
    void aCloseFailingDuringCancelIsOneWarnLineNamingTheResource() throws Exception {
        UsingTest.Resource r = new UsingTest.Resource(new ArrayList<>(), new Stackless("close refused (provoked by CancelFailureLogTest)"));
        Async<String> a = Async.using(r, res -> new Stub<>());
        assertTrue(a.poll(CX).isPending());
        List<String> log = stderrOf(a::cancel);
        assertEquals(1, r.closes.get());
        assertTrue(log.getFirst().contains("WARN") && log.getFirst().contains("closing " + r + " failed while the computation using it was being cancelled"), log.toString());
        assertTrue(log.stream().anyMatch(l -> l.contains("close refused (provoked by CancelFailureLogTest)")), log.toString());
    }

    @Test
    void anEnsureActionFailingDuringCancelIsOneWarnLine() throws Exception {
        Async<String> a = new Stub<String>().ensure(() -> {
            throw new Stackless("ensure action refused (provoked by CancelFailureLogTest)");
        });
        assertTrue(a.poll(CX).isPending());
        List<String> log = stderrOf(a::cancel);
        assertTrue(log.getFirst().contains("WARN") && log.getFirst().contains("the action of Async.ensure failed while its computation, a ")
                && log.getFirst().contains(", was being cancelled"), log.toString());
        assertTrue(log.stream().anyMatch(l -> l.contains("ensure action refused (provoked by CancelFailureLogTest)")), log.toString());
    }

    /** What {@code action} wrote to standard error, with a placeholder line for nothing, so that getFirst() names it. */
    private static List<String> stderrOf(ThrowingRunnable action) throws Exception {
        List<String> lines = StandardErrorLines.of(action);
        return lines.isEmpty() ? List.of("(nothing written)") : lines;
    }
}
