package dev.kyoto.runtime.spi;

import java.io.IOException;

/**
 * The error every pending or later I/O operation fails with once its runtime shuts down.
 * Drivers create it here so that {@code KyotoRuntime.isShutdownError} recognises it.
 */
public final class RuntimeShutdown {
    /** The exact message of the shutdown error. */
    public static final String MESSAGE = "the Kyoto runtime is shutting down";

    private RuntimeShutdown() {
    }

    /** A new shutdown error. */
    public static IOException error() {
        return new IOException(MESSAGE);
    }

    /** Whether {@code t} is exactly the shutdown error: an {@link IOException} with that message and no cause. */
    public static boolean isShutdownError(Throwable t) {
        return t != null && t.getClass() == IOException.class && t.getCause() == null && MESSAGE.equals(t.getMessage());
    }
}
