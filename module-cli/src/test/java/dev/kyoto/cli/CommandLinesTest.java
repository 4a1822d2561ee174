package dev.kyoto.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;

/** A failure no command caught is reported as the commands report theirs: one line, exit code 1. */
class CommandLinesTest {

    @Command(name = "failing")
    static final class FailingCommand implements Callable<Integer> {
        private final Exception failure;

        FailingCommand(Exception failure) {
            this.failure = failure;
        }

        @Override
        public Integer call() throws Exception {
            throw failure;
        }
    }

    @Test
    void anUncaughtIoFailureIsOneLineAndExitCodeOne() {
        CommandRun run = CommandRun.of(new FailingCommand(new IOException("No space left on device")));
        assertEquals(1, run.exitCode(), run.err());
        assertEquals("kyoto failing: No space left on device", run.errLine());
    }

    /** Anything else is a defect in the tool: the line, then the stack trace for the bug report. */
    @Test
    void anUncaughtDefectKeepsItsStackTrace() {
        CommandRun run = CommandRun.of(new FailingCommand(new IllegalStateException("impossible state")));
        assertEquals(1, run.exitCode(), run.err());
        assertTrue(run.err().startsWith("kyoto failing: impossible state" + System.lineSeparator()
                + "java.lang.IllegalStateException: impossible state"), run.err());
    }
}
