package dev.kyoto.runtime.spi;

/** Unparks the runtime thread that parks when the runtime has no I/O driver. */
@FunctionalInterface
public interface UnparkThread {

    /** Makes the parked thread return, or its next park return at once. */
    void unpark();
}
