package dev.kyoto.cli;

/**
 * When a benchmark measures, in {@link System#nanoTime()} readings: round trips before
 * {@code startNanos} are warm-up, and none starts after {@code endNanos}. Readings are compared by
 * subtraction, as {@code nanoTime} asks, so that its wrap-around cannot reorder them.
 *
 * @param startNanos when warm-up ends and measurement begins
 * @param endNanos when measurement ends
 */
record MeasurementWindow(long startNanos, long endNanos) {

    /** Whether a round trip that ran from {@code from} to {@code to} lies wholly inside the window. */
    boolean contains(long from, long to) {
        return from - startNanos >= 0 && to - endNanos <= 0;
    }

    /** Whether the window has closed at {@code now}: no round trip may start any more. */
    boolean isOver(long now) {
        return now - endNanos >= 0;
    }

    /** Whether {@code now} is still in the warm-up. */
    boolean isWarmingUp(long now) {
        return now - startNanos < 0;
    }

    /** How long the measurement lasts, in seconds. */
    double seconds() {
        return (endNanos - startNanos) / 1e9;
    }
}
