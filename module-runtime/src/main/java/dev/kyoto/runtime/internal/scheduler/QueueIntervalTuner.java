package dev.kyoto.runtime.internal.scheduler;

/**
 * Tunes how often a worker checks the shared inject queue before its own, as Tokio does: aim
 * for one check every {@value #TARGET_NANOS} ns of task polling, from an exponentially weighted
 * mean of the time a poll takes. Short polls mean frequent ticks, so a fixed interval would
 * check rarely in time; long polls (a busy task stalling) would otherwise leave remote spawns
 * waiting for many of them.
 *
 * <p>Owned by one worker thread: plain fields, no synchronisation.
 */
final class QueueIntervalTuner {
    private static final long TARGET_NANOS = 200_000;
    private static final double ALPHA = 0.1;
    private static final int MIN = 2;
    private static final int MAX = 127;

    private double meanPollNanos;
    private long batchStart;
    private int batchPolls;
    private int interval;

    QueueIntervalTuner(int initialInterval) {
        this.interval = initialInterval;
        this.meanPollNanos = (double) TARGET_NANOS / initialInterval;
    }

    /** The current interval, in ticks. */
    int interval() {
        return interval;
    }

    /** Starts timing polls (after the worker woke up, or after an update). */
    void start(long now) {
        batchStart = now;
        batchPolls = 0;
    }

    /** Counts one task poll. */
    void polled() {
        batchPolls++;
    }

    /** Folds the polls since {@link #start} into the mean and recomputes the interval. */
    void update(long now) {
        if (batchPolls > 0) {
            double mean = (double) (now - batchStart) / batchPolls;
            // A batch of n polls weighs like n single samples: 1 - (1 - alpha)^n.
            double weight = 1 - Math.pow(1 - ALPHA, batchPolls);
            meanPollNanos = weight * mean + (1 - weight) * meanPollNanos;
            long ticks = meanPollNanos <= 0 ? MAX : (long) (TARGET_NANOS / meanPollNanos);
            interval = (int) Math.max(MIN, Math.min(MAX, ticks));
        }
        start(now);
    }
}
