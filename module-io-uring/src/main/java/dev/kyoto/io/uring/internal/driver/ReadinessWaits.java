package dev.kyoto.io.uring.internal.driver;

import dev.kyoto.io.Interest;
import dev.kyoto.io.Ready;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.Waker;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The readiness waits queued on one of the driver's sockets ({@code ready(interest)}): any number
 * at a time, each with its own waker. The socket says what it is ready for and arms the ring for
 * what is missing; this class keeps the queue.
 *
 * <p>Guarded by the socket's monitor ({@code source}), which every method but {@link #wait}
 * expects held, and which a wait's {@code poll} and {@code cancel} take. A wait is in the queue exactly
 * when its {@code queued} flag is set. Wakers are taken under the monitor and called after it is
 * released ({@link #wakeAll}).
 */
final class ReadinessWaits {
    /** What the waits need of their socket; each method is called under the socket's monitor. */
    interface Source {
        /** Throws why the socket cannot be used. */
        void usable() throws IOException;

        /** What of {@code interest} the socket is ready for now. */
        Ready readiness(Interest interest);

        /** Asks the ring to say when the socket becomes ready for {@code interest}. */
        void arm(Interest interest) throws IOException;
    }

    /** The socket, whose monitor guards the queue. */
    private final Source source;
    private final List<Wait> queue = new ArrayList<>(0);

    ReadinessWaits(Source source) {
        this.source = source;
    }

    /** A wait for some readiness that satisfies {@code interest}. */
    Async<Ready> wait(Interest interest) {
        return new Wait(interest);
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /**
     * Takes the waits that a change for reading, writing or an error may satisfy, to be woken
     * after the monitor is released; a wait with {@code ERROR} interest counts as reading.
     */
    List<Waker> take(boolean read, boolean write) {
        List<Waker> woken = new ArrayList<>(2 + queue.size());
        for (int i = queue.size() - 1; i >= 0; i--) {
            Wait w = queue.get(i);
            if ((read && (w.interest.isReadable() || w.interest.isError())) || (write && w.interest.isWritable())) {
                woken.add(w.waker);
                w.queued = false;
                queue.remove(i);
            }
        }
        return woken;
    }

    static void wakeAll(List<Waker> woken) {
        for (Waker w : woken) {
            w.wake();
        }
    }

    private final class Wait implements Async<Ready> {
        private final Interest interest;
        private Waker waker;
        private boolean queued;

        Wait(Interest interest) {
            this.interest = interest;
        }

        @Override
        public Poll<Ready> poll(Context cx) throws IOException {
            synchronized (source) {
                source.usable();
                Ready r = source.readiness(interest);
                if (!r.isEmpty()) {
                    dequeue();
                    return Poll.ready(r);
                }
                waker = cx.waker();
                if (!queued) {
                    queue.add(this);
                    queued = true;
                }
                source.arm(interest);
                return Poll.pending();
            }
        }

        @Override
        public void cancel() {
            synchronized (source) {
                dequeue();
            }
        }

        private void dequeue() {
            if (queued) {
                queue.remove(this);
                queued = false;
            }
        }
    }
}
