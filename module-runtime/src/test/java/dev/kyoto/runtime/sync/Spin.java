package dev.kyoto.runtime.sync;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;

/**
 * Busy-waiting for stress tests that must race a window of a few nanoseconds: a thread that parks
 * reacts microseconds late and never lands inside it. Waits end at a deadline, so a lost wake-up
 * fails the test instead of spinning for ever; random pauses spread the moment an action lands.
 */
final class Spin {
    private Spin() {
    }

    /** A deadline {@code d} from now, in {@link System#nanoTime()} terms. */
    static long deadline(Duration d) {
        return System.nanoTime() + d.toNanos();
    }

    /** Spins until {@code condition} holds, failing with {@code what} at {@code deadline}. */
    static void until(BooleanSupplier condition, long deadline, String what) {
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting for " + what + ": a wake-up was lost");
            }
            Thread.onSpinWait();
        }
    }

    /** Pauses a random 1 to {@code max} spin-wait hints. */
    static void jitter(int max) {
        for (int i = ThreadLocalRandom.current().nextInt(max); i >= 0; i--) {
            Thread.onSpinWait();
        }
    }
}
