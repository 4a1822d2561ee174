package dev.kyoto.runtime;

/**
 * A failure provoked on purpose that carries no stack trace, for tests whose failure the code
 * under test logs: the log then shows one line instead of a trace that looks like a real problem.
 */
final class Stackless extends Exception {
    private static final long serialVersionUID = 1L;

    Stackless(String message) {
        super(message, null, true, false);
    }
}
