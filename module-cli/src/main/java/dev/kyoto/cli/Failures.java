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

    /**
     * As {@link #describe(Throwable)}, for a line that names {@code address} already: Kyoto's
     * socket errors end with the address that failed ("Connection refused: 127.0.0.1:7000"), and
     * "cannot connect to 127.0.0.1:7000: Connection refused" need not say it twice. An address the
     * message names otherwise (the one a host name resolved to, say) stays.
     */
    static String describe(Throwable failure, String address) {
        String text = describe(failure);
        String suffix = ": " + address;
        return text.endsWith(suffix) ? text.substring(0, text.length() - suffix.length()) : text;
    }
}
