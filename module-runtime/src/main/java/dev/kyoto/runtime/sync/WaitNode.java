package dev.kyoto.runtime.sync;

import dev.kyoto.runtime.Waker;

/**
 * One waiting computation in a {@link WaitList}: the list links and the waker to wake. The
 * computation object is its own node, so a wait allocates nothing beyond the computation itself.
 *
 * <p>Fields, all guarded by the lock of the primitive whose list the node is in:
 * <ul>
 *   <li>{@code prev}, {@code next}: the list links while the node is linked. Once the node is
 *       removed to be woken, {@code next} chains it to the next node to wake; only the thread that
 *       removed it reads or writes {@code next} from then on (see {@link WaitList}).</li>
 *   <li>{@code waker}: written by the waiting task while the node is linked, read by whoever
 *       removes the node. Never written after removal, so the remover may read it once it has
 *       released the lock.</li>
 *   <li>{@code link}: {@code NEW}, then {@code LINKED}, then {@code REMOVED}; a node is linked at
 *       most once in its life.</li>
 * </ul>
 */
abstract class WaitNode {
    static final byte NEW = 0;
    static final byte LINKED = 1;
    static final byte REMOVED = 2;

    WaitNode prev;
    WaitNode next;
    Waker waker;
    byte link = NEW;

    /** Whether the node is in its list now. Call with the owner's lock held. */
    final boolean isLinked() {
        return link == LINKED;
    }
}
