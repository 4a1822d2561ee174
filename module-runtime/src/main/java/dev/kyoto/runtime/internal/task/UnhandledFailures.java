package dev.kyoto.runtime.internal.task;

import java.util.function.BiConsumer;
import dev.kyoto.runtime.internal.jfr.Jfr;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a runtime sends the failure of a task that nobody was waiting for when it failed: the
 * handler given to {@code KyotoRuntime.Builder.onUnhandledFailure}, or one WARN line with the
 * task's name and the stack trace. Reports are made on the thread that completed the task, at
 * once, never at garbage collection; a handler that throws is logged and never reaches that thread.
 */
public final class UnhandledFailures {
    private static final Logger LOG = LoggerFactory.getLogger(UnhandledFailures.class);

    /** Logs each failure at WARN: the default. */
    public static final UnhandledFailures LOG_WARN = new UnhandledFailures(null);

    /** The user's handler, or null to log. */
    private final BiConsumer<String, Throwable> handler;

    private UnhandledFailures(BiConsumer<String, Throwable> handler) {
        this.handler = handler;
    }

    /** Reports to {@code handler}. */
    public static UnhandledFailures to(BiConsumer<String, Throwable> handler) {
        return new UnhandledFailures(handler);
    }

    /** Reports the failure of the task named {@code taskName}; never throws. */
    public void report(String taskName, Throwable failure) {
        Jfr.unhandledFailure(taskName, failure);
        if (handler == null) {
            log(taskName, failure);
            return;
        }
        try {
            handler.accept(taskName, failure);
        } catch (Throwable t) {
            LOG.warn("the handler for unhandled task failures threw while reporting the failure of task {}; "
                    + "the task's failure is logged next", taskName, t);
            log(taskName, failure);
        }
    }

    private static void log(String taskName, Throwable failure) {
        LOG.warn("task {} failed and nobody was waiting for it: join its JoinHandle, "
                + "or handle such failures with KyotoRuntime.Builder.onUnhandledFailure", taskName, failure);
    }
}
