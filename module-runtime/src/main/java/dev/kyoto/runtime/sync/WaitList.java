package dev.kyoto.runtime.sync;

/**
 * The intrusive FIFO of tasks waiting on one primitive, guarded by that primitive's lock.
 *
 * <p>{@code head}, {@code tail} and {@code size} are guarded by the owner's lock, as are the
 * links of every linked node.
 *
 * <p>The invariant that makes waking outside the lock safe: <em>a node is linked at most once</em>.
 * A removed node (notified, given its permits, closed or cancelled) never returns to a list, so
 * nobody but the remover touches its links again. The remover can therefore take nodes out under
 * the lock as a chain through {@code next}, release the lock, and only then walk the chain with
 * {@link #wakeAll}: no waker runs while the lock is held, and no array of wakers is allocated.
 */
final class WaitList {
    private WaitNode head;
    private WaitNode tail;
    private int size;

    boolean isEmpty() {
        return head == null;
    }

    int size() {
        return size;
    }

    /** The oldest node, or null. */
    WaitNode first() {
        return head;
    }

    /**
     * Links {@code node} at the tail.
     *
     * @throws IllegalStateException if the node has been linked before: waking outside the lock
     *         relies on a node never coming back
     */
    void add(WaitNode node) {
        if (node.link != WaitNode.NEW) {
            throw new IllegalStateException("a waiter is linked at most once; create a new wait instead of re-polling a finished one");
        }
        node.link = WaitNode.LINKED;
        node.prev = tail;
        node.next = null;
        if (tail == null) {
            head = node;
        } else {
            tail.next = node;
        }
        tail = node;
        size++;
    }

    /** Unlinks a linked {@code node} from wherever it is in the list. */
    void remove(WaitNode node) {
        WaitNode p = node.prev;
        WaitNode n = node.next;
        if (p == null) {
            head = n;
        } else {
            p.next = n;
        }
        if (n == null) {
            tail = p;
        } else {
            n.prev = p;
        }
        node.prev = null;
        node.next = null;
        node.link = WaitNode.REMOVED;
        size--;
    }

    /**
     * Unlinks the {@code count} oldest nodes and returns the first of them, chained in FIFO order
     * through {@code next} and ending in null; null when {@code count} is 0.
     */
    WaitNode removeFirst(int count) {
        if (count == 0) {
            return null;
        }
        WaitNode first = head;
        WaitNode last = first;
        for (int i = 0; ; i++) {
            last.prev = null;
            last.link = WaitNode.REMOVED;
            if (i == count - 1) {
                break;
            }
            last = last.next;
        }
        head = last.next;
        if (head == null) {
            tail = null;
        } else {
            head.prev = null;
        }
        last.next = null;
        size -= count;
        return first;
    }

    /**
     * Unlinks the newest node and returns it as a chain of one, as {@link #removeFirst(int)}
     * does; null when the list is empty.
     */
    WaitNode removeLast() {
        WaitNode last = tail;
        if (last != null) {
            remove(last);
        }
        return last;
    }

    /** Unlinks every node and returns them as a chain, as {@link #removeFirst(int)} does. */
    WaitNode removeAll() {
        return removeFirst(size);
    }

    /**
     * Wakes every node of a chain returned by {@link #removeFirst(int)} or {@link #removeAll()}.
     * Call it after releasing the owner's lock.
     */
    static void wakeAll(WaitNode chain) {
        WaitNode n = chain;
        while (n != null) {
            WaitNode next = n.next;
            n.next = null;
            n.waker.wake();
            n = next;
        }
    }
}
