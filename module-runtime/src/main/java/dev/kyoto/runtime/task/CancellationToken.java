package dev.kyoto.runtime.task;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.Waker;
import java.lang.ref.WeakReference;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A signal that asks work to stop: tasks wait on {@link #cancelled()} (or check
 * {@link #isCancelled()}), and whoever decides that they should stop calls {@link #cancel()}.
 * Tokio's {@code CancellationToken} (tokio-util). Any thread may cancel, wait or make children;
 * a cancel from a plain thread wakes the waiting tasks on whatever runtime they run.
 *
 * <pre>{@code
 * CancellationToken shutdown = new CancellationToken();
 * // per connection: stop when the connection ends or the server shuts down
 * CancellationToken connection = shutdown.child();
 * ...
 * shutdown.cancel();   // cancels every connection's token too
 * }</pre>
 *
 * <h2>Trees</h2>
 * A {@linkplain #child() child} is cancelled when its parent is, and a child made from a cancelled
 * token starts cancelled; cancelling a child touches neither its parent nor its siblings. A
 * cancel reaches the whole subtree, however deep, without recursion.
 *
 * <h2>What a parent keeps of its children</h2>
 * A server makes one child per connection from a parent that lives as long as the server, so the
 * parent must not keep every child it ever made. A parent therefore holds its children
 * <em>weakly</em>, and a child holds its parent strongly:
 * <ul>
 *   <li>A child that is cancelled leaves its parent's list at once.</li>
 *   <li>A child nobody can reach any more (the connection ended and dropped it) cannot be observed
 *       by anyone, so cancelling it would change nothing; the parent's list drops it the next time
 *       it is full, once the garbage collector has cleared it. The list doubles only when more than
 *       half of it is still reachable and halves when less than a quarter is, so it stays within a
 *       small multiple of the children still reachable.</li>
 *   <li>A child that somebody can still observe stays reachable, so it is still cancelled with its
 *       parent: a task waiting on its {@code cancelled()} holds it (the runtime holds every live
 *       task), and so does any descendant, through its strong reference to its parent.</li>
 * </ul>
 * Cancel a child whose work has ended if you want its slot back at once rather than after a
 * collection.
 *
 * <h2>Concurrency state</h2>
 * One lock per token, {@code lock}, guards everything but {@code cancelled}'s reads; the class uses
 * no other synchronisation.
 * <ul>
 *   <li>{@code cancelled}: volatile; false until the one {@code cancel} (or a parent's) that sets
 *       it, under the lock; read without the lock by {@link #isCancelled()} and the fast paths.</li>
 *   <li>{@code head}: the waiters, an intrusive doubly linked list of {@code cancelled()}
 *       computations that returned pending; guarded by the lock.</li>
 *   <li>{@code children}, {@code childCount}: the children, as {@link Link}s (weak references) in
 *       slots {@code [0, childCount)}; guarded by the lock, and so is each link's {@code index}
 *       (its slot here, or -1 once it has left).</li>
 *   <li>{@code parent}, {@code link}: final; this token's parent and its entry in the parent's
 *       list, whose index the parent's lock guards.</li>
 * </ul>
 * Invariant: once {@code cancelled} is set no waiter and no child is ever added, because both are
 * added under the lock after checking it. So a wait or a child either is in the lists the
 * cancelling thread takes out (in the same critical section that sets the flag), or sees the
 * flag: no wake-up and no child is lost. Wakers are woken and children cancelled after the lock
 * is released; a waiter's waker is written only while it is linked, under the lock, so the
 * canceller may read it after releasing the lock. A thread holds at most one token's lock at a
 * time, so locks are never nested and cannot deadlock.
 */
public final class CancellationToken {
    private static final int INITIAL_CHILD_SLOTS = 4;
    /** What {@link #cancelled()} returns once the token is cancelled: ready at once, holds nothing. */
    private static final Async<Void> ALREADY = Async.ready(null);

    private volatile boolean cancelled;
    private final ReentrantLock lock = new ReentrantLock();
    private Cancelled head;
    private Link[] children;
    private int childCount;
    private final CancellationToken parent;
    private final Link link;

    /** Creates a token that is not cancelled and has no parent. */
    public CancellationToken() {
        this.parent = null;
        this.link = null;
    }

    private CancellationToken(CancellationToken parent) {
        this.parent = parent;
        this.link = new Link(this);
    }

    /**
     * Cancels this token and, with it, every child it has (and theirs): every pending
     * {@link #cancelled()} completes and its task is woken. Calling it again does nothing.
     *
     * @throws RuntimeException the first failure of a {@link Waker} that threw; every waiter is
     *     woken and every descendant cancelled first regardless
     */
    public void cancel() {
        Detached first = detach();
        if (first == null) {
            return;
        }
        if (parent != null) {
            parent.forget(link);
        }
        RuntimeException failure = null;
        ArrayDeque<Detached> work = null;
        for (Detached d = first; d != null; d = work == null ? null : work.poll()) {
            failure = wakeAll(d.waiters(), failure);
            for (int i = 0; i < d.childCount(); i++) {
                CancellationToken child = d.children()[i].get();
                Detached next = child == null ? null : child.detach();
                if (next != null) {
                    if (work == null) {
                        work = new ArrayDeque<>();
                    }
                    work.push(next);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Whether this token has been cancelled, by itself or through an ancestor. */
    public boolean isCancelled() {
        return cancelled;
    }

    /**
     * A computation that completes once this token is cancelled; it is ready at once if the token
     * already is. {@linkplain Async#cancel() Cancelling} the computation (a lost race, a timeout,
     * an aborted task) removes its waiter, so an abandoned wait leaves nothing behind in the token.
     *
     * @return the computation; poll it from one task at a time, as any computation
     */
    public Async<Void> cancelled() {
        return cancelled ? ALREADY : new Cancelled(this);
    }

    /**
     * A new token that is cancelled when this one is (at once if this one already is), and that
     * can be cancelled on its own without touching this one. See the class comment for what this
     * token keeps of it.
     *
     * @return the child
     */
    public CancellationToken child() {
        CancellationToken c = new CancellationToken(this);
        lock.lock();
        try {
            if (cancelled) {
                c.cancelled = true;
            } else {
                adopt(c.link);
            }
        } finally {
            lock.unlock();
        }
        return c;
    }

    @Override
    public String toString() {
        return cancelled ? "CancellationToken[cancelled]" : "CancellationToken[active]";
    }

    /** How many pending {@link #cancelled()} computations are linked; for tests. */
    int waiterCount() {
        lock.lock();
        try {
            int n = 0;
            for (Cancelled w = head; w != null; w = w.next) {
                n++;
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** How many children this token holds a slot for, reachable or not yet swept; for tests. */
    int retainedChildren() {
        lock.lock();
        try {
            return childCount;
        } finally {
            lock.unlock();
        }
    }

    /** What one cancel takes out of a token under its lock, to be woken and cancelled outside it. */
    private record Detached(Cancelled waiters, Link[] children, int childCount) {
    }

    /**
     * Sets {@code cancelled} and takes the waiters and children out, or returns null if the token
     * was cancelled already.
     */
    private Detached detach() {
        if (cancelled) {
            return null;
        }
        lock.lock();
        try {
            if (cancelled) {
                return null;
            }
            cancelled = true;
            Cancelled waiters = head;
            head = null;
            for (Cancelled w = waiters; w != null; w = w.next) {
                w.linked = false;
            }
            Link[] kids = children;
            int count = childCount;
            children = null;
            childCount = 0;
            for (int i = 0; i < count; i++) {
                kids[i].index = -1;
            }
            return new Detached(waiters, kids, count);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Wakes a chain of waiters taken out by {@link #detach()}. A waker that throws does not keep
     * the others asleep; its failure is kept (the first) or added to the one kept.
     */
    private static RuntimeException wakeAll(Cancelled chain, RuntimeException failure) {
        for (Cancelled w = chain; w != null; ) {
            Cancelled next = w.next;
            w.next = null;
            w.prev = null;
            try {
                w.waker.wake();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
            w = next;
        }
        return failure;
    }

    /** Gives a new child a slot. Call with the lock held, while not cancelled. */
    private void adopt(Link l) {
        if (children == null) {
            children = new Link[INITIAL_CHILD_SLOTS];
        } else if (childCount == children.length) {
            sweep();
        }
        children[childCount] = l;
        l.index = childCount++;
    }

    /**
     * Drops the children the collector has cleared, then doubles the list if more than half of it
     * is still in use or halves it if less than a quarter is; either way a slot is free after.
     * Called only when the list is full, so its cost is spread over the adds that filled it.
     */
    private void sweep() {
        int kept = 0;
        for (int i = 0; i < childCount; i++) {
            Link l = children[i];
            if (l.refersTo(null)) {
                l.index = -1;
            } else {
                l.index = kept;
                children[kept++] = l;
            }
        }
        Arrays.fill(children, kept, childCount, null);
        childCount = kept;
        int length = children.length;
        if (kept > length / 2) {
            children = Arrays.copyOf(children, length * 2);
        } else if (kept < length / 4 && length > INITIAL_CHILD_SLOTS) {
            children = Arrays.copyOf(children, length / 2);
        }
    }

    /** Takes a child that cancelled itself out of the list, unless this token's cancel took it already. */
    private void forget(Link l) {
        lock.lock();
        try {
            int i = l.index;
            if (i < 0) {
                return;
            }
            int last = --childCount;
            Link moved = children[last];
            children[i] = moved;
            moved.index = i;
            children[last] = null;
            l.index = -1;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A child's entry in its parent's list: a weak reference, so that the list does not keep a
     * child alive, and the child's slot there. The child holds its link strongly.
     */
    private static final class Link extends WeakReference<CancellationToken> {
        /** The slot in the parent's list, or -1 once out of it; guarded by the parent's lock. */
        int index = -1;

        Link(CancellationToken child) {
            super(child);
        }
    }

    /**
     * The computation behind {@link #cancelled()}; it is its own waiter node.
     *
     * <p>{@code queued} is the owner's (the task polling it): whether it has linked the node.
     * {@code linked}, {@code prev}, {@code next} and {@code waker} are guarded by the token's lock
     * while the node is linked; once the cancel takes the node out, only the cancelling thread
     * touches {@code prev} and {@code next}, and nobody writes {@code waker} again.
     */
    private static final class Cancelled implements Async<Void> {
        private static final Poll<Void> READY = Poll.ready(null);

        private final CancellationToken token;
        private boolean queued;
        boolean linked;
        Cancelled prev;
        Cancelled next;
        Waker waker;

        Cancelled(CancellationToken token) {
            this.token = token;
        }

        @Override
        public Poll<Void> poll(Context cx) {
            if (token.cancelled) {
                return READY;
            }
            Waker w = cx.waker();
            if (queued && waker == w) {
                // Only this poller writes the waker; a cancel after the check above wakes this one.
                return Poll.pending();
            }
            token.lock.lock();
            try {
                if (token.cancelled) {
                    return READY;
                }
                waker = w;
                if (!queued) {
                    queued = true;
                    linked = true;
                    next = token.head;
                    if (next != null) {
                        next.prev = this;
                    }
                    token.head = this;
                }
                return Poll.pending();
            } finally {
                token.lock.unlock();
            }
        }

        @Override
        public void cancel() {
            if (!queued) {
                return;
            }
            queued = false;
            token.lock.lock();
            try {
                if (!linked) {
                    return;
                }
                linked = false;
                if (prev == null) {
                    token.head = next;
                } else {
                    prev.next = next;
                }
                if (next != null) {
                    next.prev = prev;
                }
                prev = null;
                next = null;
            } finally {
                token.lock.unlock();
            }
        }
    }
}
