package dev.kyoto.cli;

import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT for a server that shuts down gracefully: the first asks it to stop (the
 * server then drains), a second exits at once with the conventional status, 128 plus the
 * signal's number (143 for TERM, 130 for INT).
 *
 * <p>Why {@code sun.misc.Signal} and not a shutdown hook: the JVM's own handler for these signals
 * runs the shutdown hooks while holding the lock that every later exit waits for, so a second
 * signal blocks for ever instead of ending the drain, and nothing tells the hook it came; and the
 * process then exits with 128 plus the signal's number whatever the hook did, unless the hook
 * halts the JVM. docs/design-notes.md ("Graceful shutdown of kyoto echo-server") has the
 * experiments.
 *
 * <p>A signal the process was started with ignored ({@code nohup}, a background job of a
 * non-interactive shell ignores SIGINT) stays ignored: the JVM declines to handle it. A handler
 * runs on a thread of its own, one per signal received; {@code signalled} decides, once, which
 * one is first.
 */
final class StopSignals {
    private static final String[] SIGNALS = {"TERM", "INT"};

    private StopSignals() {
    }

    /**
     * Installs the handlers.
     *
     * @param name the command, for example {@code kyoto echo-server}, for the line a second signal writes
     * @param err where that line goes
     * @param onFirst what the first signal does: ask the server to stop; it must not block
     */
    static void install(String name, PrintWriter err, Runnable onFirst) {
        AtomicBoolean signalled = new AtomicBoolean();
        for (String s : SIGNALS) {
            Signal.handle(new Signal(s), signal -> {
                if (signalled.compareAndSet(false, true)) {
                    onFirst.run();
                    return;
                }
                err.println(name + ": SIG" + signal.getName() + " during the shutdown: exiting at once");
                err.flush();
                // halt, not exit: what is left to run is the drain this signal cuts short, and
                // exit would wait behind Main's own System.exit if the drain had just ended.
                Runtime.getRuntime().halt(128 + signal.getNumber());
            });
        }
    }
}
