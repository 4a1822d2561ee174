package dev.kyoto.runtime.internal.context;

import dev.kyoto.runtime.Waker;
import java.util.Arrays;

/**
 * The wakers of tasks that yielded on one thread, woken after that thread next polls its driver
 * (so a task that yields in a loop cannot starve I/O).
 *
 * <p>The thread that drives adds and wakes them. On a multi-thread runtime a watching worker may
 * also take them all, from a worker stuck in one long poll that will not poll its driver soon:
 * by then the watcher has turned the driver or waited a whole watch period, which is what the
 * yield asked for. So {@code wakers} and {@code size} are guarded by {@code this}; {@code size}
 * is also volatile, so that the empty list, the common case, is seen without locking.
 * {@code spare} belongs to the owning thread: it swaps it with {@code wakers} under the lock and
 * wakes the batch outside it, so draining allocates nothing.
 */
public final class DeferredWakers {
    private Waker[] wakers = new Waker[8];
    private volatile int size;
    private Waker[] spare = new Waker[8];

    /** Adds {@code waker}, unless it is the last one added: a task yielding again needs one wake. */
    public synchronized void add(Waker waker) {
        int n = size;
        if (n > 0 && wakers[n - 1] == waker) {
            return;
        }
        if (n == wakers.length) {
            wakers = Arrays.copyOf(wakers, n * 2);
        }
        wakers[n] = waker;
        size = n + 1;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /**
     * Owner only: wakes every waker added so far; wakers added meanwhile (a wake runs user code)
     * wait for the next call.
     */
    public void wakeAll() {
        if (size == 0) {
            return;
        }
        Waker[] batch;
        int n;
        synchronized (this) {
            n = size;
            batch = wakers;
            wakers = spare;
            size = 0;
        }
        for (int i = 0; i < n; i++) {
            Waker w = batch[i];
            batch[i] = null;
            w.wake();
        }
        spare = batch;
    }

    /** Any thread: removes and returns every waker added so far, for a worker that has stalled. */
    public synchronized Waker[] takeAll() {
        int n = size;
        Waker[] taken = Arrays.copyOf(wakers, n);
        Arrays.fill(wakers, 0, n, null);
        size = 0;
        return taken;
    }
}
