package dev.kyoto.runtime;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The children of a combinator that runs several computations at once inside one task
 * ({@link All}, {@link Race}), each polled only when its own waker was woken, Tokio's
 * {@code FuturesUnordered} in its simplest form.
 *
 * <p>State:
 * <ul>
 *   <li>{@code children}: slot {@code i} holds child {@code i} while it is live; the polling task
 *       clears it when the child returns ready, throws or is cancelled, so no child is polled or
 *       cancelled after it ended, and none is cancelled twice.</li>
 *   <li>{@code wakers}: one {@link ChildWaker} per child, made here, each with its woken mark.</li>
 *   <li>{@code parent}: the waker the combinator was last polled with, which a child's wake
 *       forwards to. The polling task writes it (only when it changed, to spare a volatile write
 *       per poll) before it looks at the marks; a waking thread sets a mark before it reads
 *       {@code parent}. Both are volatile, so either the poll sees the mark or the wake sees the
 *       new waker. Cleared when every child has ended, so that a late wake keeps no task reachable.</li>
 * </ul>
 * A poll looks at every mark (a volatile read each) but polls only the children marked.
 */
final class Siblings<T> {
    private static final Logger LOG = LoggerFactory.getLogger(Siblings.class);

    private final Async<T>[] children;
    private final ChildWaker[] wakers;
    private volatile Waker parent;
    /** {@code Async.all}, {@code Async.race}, …: for messages. */
    private final String combinator;

    /**
     * Copies {@code computations}, so that later changes to the list do not reach the combinator.
     *
     * @throws NullPointerException naming the index of a null element
     */
    @SuppressWarnings("unchecked")
    Siblings(List<? extends Async<T>> computations, String combinator) {
        this.combinator = combinator;
        Object[] copy = computations.toArray();
        for (int i = 0; i < copy.length; i++) {
            if (copy[i] == null) {
                throw new NullPointerException(combinator + ": the computation at index " + i
                        + " is null; every element of the list must be a computation");
            }
        }
        children = (Async<T>[]) new Async<?>[copy.length];
        wakers = new ChildWaker[copy.length];
        for (int i = 0; i < copy.length; i++) {
            children[i] = (Async<T>) copy[i];
            wakers[i] = new ChildWaker(this);
        }
    }

    int size() {
        return children.length;
    }

    /** Records the waker the combinator is being polled with. Call at the start of every poll. */
    void enter(Context cx) {
        Waker w = cx.waker();
        if (parent != w) {
            parent = w;
        }
    }

    /** Whether child {@code i} is live and was woken since it was last polled; clears the mark. */
    boolean takeWoken(int i) {
        return children[i] != null && wakers[i].take();
    }

    /**
     * Polls live child {@code i} with its own context. A child that returns ready or throws has
     * ended: its slot is cleared.
     */
    Poll<T> poll(int i) throws Exception {
        Poll<T> p;
        try {
            p = children[i].poll(wakers[i].context);
        } catch (Throwable t) {
            children[i] = null;
            throw t;
        }
        if (p.isReady()) {
            children[i] = null;
        }
        return p;
    }

    /**
     * Cancels every live child, in list order, and forgets the parent's waker. A child whose
     * {@code cancel()} throws (it must not) does not stop the others: its exception is added as
     * suppressed to {@code failure}, the failure about to be thrown, or logged at WARN when there
     * is none.
     */
    void cancelAll(Throwable failure) {
        parent = null;
        for (int i = 0; i < children.length; i++) {
            Async<T> c = children[i];
            if (c == null) {
                continue;
            }
            children[i] = null;
            try {
                c.cancel();
            } catch (RuntimeException e) {
                if (failure != null) {
                    failure.addSuppressed(e);
                } else {
                    LOG.warn("{}: cancel() of the computation at index {} ({}) threw, which Async.cancel() forbids; "
                            + "the other computations were cancelled regardless", combinator, i, c.getClass().getName(), e);
                }
            }
        }
    }

    /** Called once every child has ended: a late wake of a child then reaches nobody. */
    void finished() {
        parent = null;
    }

    void wakeParent() {
        Waker w = parent;
        if (w != null) {
            w.wake();
        }
    }
}
