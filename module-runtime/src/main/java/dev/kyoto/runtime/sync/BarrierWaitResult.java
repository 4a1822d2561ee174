package dev.kyoto.runtime.sync;

/**
 * What {@link Barrier#await()} completes with: whether this arrival was the generation's leader.
 *
 * @param isLeader true for exactly one arrival of each generation: the one that completed it
 */
public record BarrierWaitResult(boolean isLeader) {
}
