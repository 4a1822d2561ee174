package dev.kyoto.bench.net;

/** A server whose stack cannot run on this machine; the message says why, in the stack's own words. */
final class UnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    UnavailableException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
