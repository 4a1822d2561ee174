package dev.kyoto.io;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;

/**
 * {@link Io#copyBidirectional}: two {@link Copy}s polled side by side in one computation, each
 * followed by a shutdown of the writer it fed.
 *
 * <p>Both directions live in this one object, on the caller's task: nothing is spawned, so
 * nothing outlives a cancel.
 */
final class CopyBidirectional implements Async<Io.Copied> {
    private final Direction aToB;
    private final Direction bToA;

    CopyBidirectional(AsyncRead aIn, AsyncWrite aOut, AsyncRead bIn, AsyncWrite bOut, BufferPool pool) {
        this.aToB = new Direction(new Copy(aIn, bOut, pool), bOut);
        this.bToA = new Direction(new Copy(bIn, aOut, pool), aOut);
    }

    @Override
    public Poll<Io.Copied> poll(Context cx) throws IOException {
        // Both directions are polled on every wake, whichever woke it: each stores its own wakers,
        // and a finished direction just reports done again.
        boolean abDone = aToB.poll(cx);
        boolean baDone = bToA.poll(cx);
        if (abDone && baDone) {
            return Poll.ready(new Io.Copied(aToB.copy.copied(), bToA.copy.copied()));
        }
        return Poll.pending();
    }

    @Override
    public String toString() {
        return "CopyBidirectional[" + aToB.copy + ", " + bToA.copy + "]";
    }

    /** Copying, then shutting the writer down (so its peer reads end of stream), then done. */
    private static final class Direction {
        private final Copy copy;
        private final AsyncWrite out;
        private boolean copied;
        private boolean done;

        Direction(Copy copy, AsyncWrite out) {
            this.copy = copy;
            this.out = out;
        }

        boolean poll(Context cx) throws IOException {
            if (!copied) {
                if (copy.poll(cx).isPending()) {
                    return false;
                }
                copied = true;
            }
            if (!done) {
                if (out.pollShutdown(cx).isPending()) {
                    return false;
                }
                done = true;
            }
            return true;
        }
    }
}
