package dev.kyoto.runtime.internal.thread;

import java.time.Duration;

/** Waiting for a thread to end the way shutdown must: not cut short by an interrupt, which is kept for the caller. */
public final class Joins {
    private Joins() {
    }

    /**
     * Waits for {@code t} to end, at most until {@code deadline} ({@link System#nanoTime()}
     * scale; a negative {@code timeoutNanos} waits without limit). An interrupt during the wait
     * does not end it; the calling thread's interrupt status is set again before this returns.
     *
     * @return whether {@code t} has ended
     */
    public static boolean joinUninterruptibly(Thread t, long timeoutNanos, long deadline) {
        boolean interrupted = false;
        try {
            for (;;) {
                try {
                    if (timeoutNanos < 0) {
                        t.join();
                    } else {
                        long left = deadline - System.nanoTime();
                        if (left > 0) {
                            t.join(Duration.ofNanos(left));
                        }
                    }
                    return !t.isAlive();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
