package dev.kyoto.runtime.time;

/**
 * What an {@link Interval} does when its ticks fall behind (the task was busy past a tick).
 */
public enum MissedTickBehavior {
    /** Fire the missed ticks as fast as possible until caught up, keeping the original schedule (the default). */
    BURST,
    /** Fire once now, then count whole periods from now: the schedule shifts. */
    DELAY,
    /** Fire once now, then resume on the original schedule, skipping the missed ticks. */
    SKIP
}
