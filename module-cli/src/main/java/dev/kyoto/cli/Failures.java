package dev.kyoto.cli;

/**
 * Turns a failure into the text after the colon of a one-line error report. Some I/O exceptions
 * carry no message (a {@link java.nio.channels.ClosedChannelException}, for one); their type is
 * then the best description there is.
 */
final class Failures {
    private Failures() {
    }

    static String describe(Throwable failure) {
        return failure.getMessage() != null ? failure.getMessage() : failure.getClass().getSimpleName();
    }
}
