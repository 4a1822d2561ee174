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
        for (long spins = 0; !condition.getAsBoolean(); spins++) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting for " + what + ": a wake-up was lost");
            }
            pause(spins);
        }
    }

    /**
     * One step of a wait loop that has spun {@code spins} times: a spin-wait hint, and every 1024th
     * step (some tens of microseconds) a yield. Two threads waiting on each other in turn may share
     * one core when the machine runs more threads than it has cores; without the yield each turn
     * would cost the waiter a whole time slice.
     */
    static void pause(long spins) {
        if ((spins & 1023) == 1023) {
            Thread.yield();
        } else {
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
