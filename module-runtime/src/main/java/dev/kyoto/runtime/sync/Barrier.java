package dev.kyoto.runtime.sync;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.Waker;
import dev.kyoto.runtime.spi.Coop;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Lets a fixed number of tasks meet before any goes on (Tokio's {@code Barrier}): each
 * {@link #await()} waits until {@code parties} of them have arrived, then all complete together,
 * and exactly one of them is told it is the {@linkplain BarrierWaitResult#isLeader() leader}.
 * The barrier then starts a new generation and can be used again.
 *
 * <pre>{@code
 * Barrier ready = new Barrier(workers);
 * Async<Void> worker = warmUp().then(v -> ready.await()).then(r -> r.isLeader() ? announce() : work());
 * }</pre>
 *
 * <p>The method is named {@code await}, as in {@code java.util.concurrent.CyclicBarrier}: it
 * is Java's word for this operation ({@code wait()} is {@code Object}'s and final), and the
 * computation it returns is what the task waits on.
 *
 * <p><b>Cancellation.</b> A pending {@code await()} that is cancelled withdraws its arrival: the
 * generation then needs another arrival to complete, as if the cancelled one had never arrived.
 * This departs from Tokio, whose {@code Barrier::wait} is documented as not cancel safe: there an
 * arrival counts as soon as the wait is first polled, so a wait abandoned by a timeout or a lost
 * {@code select!} lets the generation complete with a party that is no longer there, releasing
 * the others early. Once the generation is complete, cancelling changes nothing: the others were
 * released with this arrival counted.
 *
 * <p>Concurrency state: {@code waiters}, guarded by {@code lock}, holds the arrivals of the
 * current generation, at most {@code parties - 1}; its size is the arrival count, so a cancelled
 * arrival that leaves the list is no longer counted. The arrival that finds
 * {@code parties - 1} waiting is the leader: it unlinks them all and marks them released under
 * the lock, which starts the next generation empty, and wakes them after releasing it.
 */
public final class Barrier {
    private static final Poll<BarrierWaitResult> LEADER = Poll.ready(new BarrierWaitResult(true));
    private static final Poll<BarrierWaitResult> FOLLOWER = Poll.ready(new BarrierWaitResult(false));

    private final int parties;
    private final ReentrantLock lock = new ReentrantLock();
    private final WaitList waiters = new WaitList();

    /**
     * Creates a barrier for {@code parties} tasks.
     *
     * @param parties how many arrivals complete a generation, at least 1
     * @throws IllegalArgumentException if {@code parties} is less than 1
     */
    public Barrier(int parties) {
        if (parties < 1) {
            throw new IllegalArgumentException("a Barrier needs at least 1 party, got " + parties);
        }
        this.parties = parties;
    }

    /** How many arrivals complete a generation. */
    public int parties() {
        return parties;
    }

    /**
     * A computation that arrives at the barrier when first polled and completes when the
     * generation it arrived in is complete. Every poll spends one unit of the task's cooperative
     * budget.
     *
     * @return the computation; its result says whether this arrival was the leader (the one that
     *         completed the generation)
     */
    public Async<BarrierWaitResult> await() {
        return new Arrival(this);
    }

    /** How many arrivals wait for the current generation to complete; for tests. */
    int waiterCount() {
        lock.lock();
        try {
            return waiters.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The computation behind {@link #await()}; it is its own waiter node. {@code phase} is the
     * owner's. {@code released} is volatile, set under the lock by the leader that unlinks the
     * node, read by the owner without the lock.
     */
    private static final class Arrival extends WaitNode implements Async<BarrierWaitResult> {
        private static final int INIT = 0;
        private static final int WAITING = 1;
        private static final int DONE = 2;

        private final Barrier barrier;
        private int phase = INIT;
        volatile boolean released;

        Arrival(Barrier barrier) {
            this.barrier = barrier;
        }

        @Override
        public Poll<BarrierWaitResult> poll(Context cx) {
            if (phase == DONE) {
                throw new IllegalStateException("this await() already completed; call await() again for the next generation");
            }
            if (!Coop.proceed(cx)) {
                return Poll.pending();
            }
            Poll<BarrierWaitResult> p = phase == INIT ? arrive(cx) : pollWaiting(cx);
            if (p.isPending()) {
                Coop.refund();
            } else {
                phase = DONE;
            }
            return p;
        }

        private Poll<BarrierWaitResult> arrive(Context cx) {
            WaitNode woken;
            Barrier b = barrier;
            b.lock.lock();
            try {
                if (b.waiters.size() + 1 < b.parties) {
                    waker = cx.waker();
                    b.waiters.add(this);
                    phase = WAITING;
                    return Poll.pending();
                }
                woken = b.waiters.removeAll();
                for (WaitNode n = woken; n != null; n = n.next) {
                    ((Arrival) n).released = true;
                }
            } finally {
                b.lock.unlock();
            }
            WaitList.wakeAll(woken);
            return LEADER;
        }

        private Poll<BarrierWaitResult> pollWaiting(Context cx) {
            if (released) {
                return FOLLOWER;
            }
            Waker w = cx.waker();
            if (waker == w) {
                return Poll.pending();
            }
            barrier.lock.lock();
            try {
                if (released) {
                    return FOLLOWER;
                }
                waker = w;
                return Poll.pending();
            } finally {
                barrier.lock.unlock();
            }
        }

        @Override
        public void cancel() {
            if (phase == WAITING) {
                barrier.lock.lock();
                try {
                    if (isLinked()) {
                        barrier.waiters.remove(this);
                    }
                } finally {
                    barrier.lock.unlock();
                }
            }
            phase = DONE;
        }
    }
}
