package dev.kyoto.codec;

import java.io.IOException;

/**
 * A frame longer than the limit its decoder or encoder was given: the peer sent (or the caller
 * tried to send) more than the protocol allows. Nothing of the frame was consumed or written.
 */
public final class FrameTooLongException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long length;
    private final long limit;

    /**
     * @param what names the frame and the limit's setting, for the message
     * @param length the frame's length, or how much was seen without its end
     * @param limit the limit it exceeds
     */
    public FrameTooLongException(String what, long length, long limit) {
        super(what + ": " + length + " bytes, more than the limit of " + limit);
        this.length = length;
        this.limit = limit;
    }

    /** {@return the frame's length, or, where its end was not found, how many bytes were seen} */
    public long length() {
        return length;
    }

    /** {@return the limit the frame exceeds} */
    public long limit() {
        return limit;
    }
}
