package dev.kyoto.runtime.spi;

/**
 * A snapshot-free view of an I/O driver's counters. Each read is a relaxed load: the values are
 * exact once the driver is idle, and monotonic (except {@link #registeredCount()}) meanwhile.
 */
public interface IoDriverMetrics {

    /** Resources currently registered with the driver. */
    long registeredCount();

    /** Resource readiness events the driver has delivered since it opened. */
    long readyCount();

    /** Driver turns (calls into the operating system's readiness API) since it opened. */
    long turnCount();

    /** Times another thread had to interrupt a blocked turn. */
    long wakeupCount();
}
