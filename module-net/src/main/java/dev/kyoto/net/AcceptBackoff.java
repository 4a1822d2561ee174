package dev.kyoto.net;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.time.Sleep;
import dev.kyoto.runtime.time.Time;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The accept of a server's accept loop: waits for the next connection as
 * {@link TcpListener#accept()} and {@link UnixListener#accept()} do, but rides out the failures
 * that leave the listener usable, pausing after each, so that one bad moment does not end the
 * server.
 *
 * <pre>{@code
 * AcceptBackoff backoff = new AcceptBackoff((failure, pause) -> log.warn("accept failed: {}; retrying in {}", failure, pause));
 *
 * static Async<Void> acceptLoop(TcpListener listener, AcceptBackoff backoff) {
 *     return backoff.accept(listener).then(stream -> {
 *         Handle.current().spawn(serve(stream));
 *         return acceptLoop(listener, backoff);
 *     });
 * }
 * }</pre>
 *
 * <p><b>Which failures end accepting.</b> An accept fails for two kinds of reasons. Some end the
 * listener: it was closed, or its runtime is shutting down ({@link KyotoRuntime#isShutdownError});
 * every later accept would fail the same way, so the loop must end, and {@code accept} fails with
 * the error. Every other {@link IOException} leaves the listener open and usable: the process or
 * the system is out of descriptors ({@code EMFILE}, {@code ENFILE}, "Too many open files"), the
 * kernel is out of memory for socket buffers ({@code ENOBUFS}, {@code ENOMEM}), or a connection was
 * aborted while it waited in the backlog ({@code ECONNABORTED}). The JDK reports all of them as a
 * plain {@link IOException} with the system's message and no error number, so the listener's state
 * is what tells them apart. Such a failure is usually about one connection or one moment, and the
 * connections already accepted are not affected; the pending connection stays in the backlog (the
 * listener stays readable), so trying again at once would fail again at once, in a busy loop. So
 * {@code accept} reports the failure to the {@code onFailure} given at construction, waits, and
 * tries again: 5 ms after the first failure, twice as long after each failure that follows, at
 * most 1 s; the first connection accepted starts the pauses at 5 ms again. These are the pauses of
 * Go's {@code net/http} server (hyper and Netty pause for a fixed second); the pause also gives the
 * server's own connections time to end and give their descriptors back. Anything other than an
 * {@link IOException} (a bug, an {@link Error}) ends accepting too.
 *
 * <p>A server out of descriptors fails every accept, so {@code onFailure} is called up to once a
 * second for as long as that lasts: a server that logs it should rate-limit its warnings.
 * {@code onFailure} runs on the task that awaits the accept; if it throws, the accept fails with
 * its exception. The pauses are timers: the runtime needs {@code enableTime()} (or
 * {@code enableAll()}), which {@code accept} checks at its first poll rather than at the first
 * failure.
 *
 * <p>An {@code AcceptBackoff} serves one accept loop, whose accepts are awaited one after another
 * (by one task at a time, as a loop does); it holds the loop's current pause. It holds nothing to
 * close.
 */
public final class AcceptBackoff {
    private static final Duration FIRST_PAUSE = Duration.ofMillis(5);
    private static final Duration MAX_PAUSE = Duration.ofSeconds(1);

    private final BiConsumer<? super IOException, ? super Duration> onFailure;
    /**
     * The pause the next failure takes: {@link #FIRST_PAUSE} after an accept succeeds, doubled
     * by each failure up to {@link #MAX_PAUSE}. Read and written by the task awaiting the loop's
     * accept; one accept at a time, so no two threads use it at once.
     */
    private Duration nextPause = FIRST_PAUSE;

    /**
     * A back-off for one accept loop.
     *
     * @param onFailure called with each failure {@code accept} rides out and the pause it takes
     *        before it tries again; to log the failure, say
     */
    public AcceptBackoff(BiConsumer<? super IOException, ? super Duration> onFailure) {
        this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
    }

    /**
     * Accepts the next connection on {@code listener}, riding out failures that leave it usable
     * (see the class comment).
     *
     * @param listener the listener to accept on
     * @return the connection; fails if the listener is closed, its runtime shuts down, or
     *         {@code onFailure} throws
     */
    public Async<TcpStream> accept(TcpListener listener) {
        Objects.requireNonNull(listener, "listener");
        return new Retrying<>(this, listener::accept, listener::isOpen);
    }

    /**
     * Accepts the next connection on {@code listener}; see {@link #accept(TcpListener)}.
     *
     * @param listener the listener to accept on
     * @return the connection; fails as {@link #accept(TcpListener)}'s does
     */
    public Async<UnixStream> accept(UnixListener listener) {
        Objects.requireNonNull(listener, "listener");
        return new Retrying<>(this, listener::accept, listener::isOpen);
    }

    /** The pause for a failure that leaves the listener usable; the next one is twice as long, up to the maximum. */
    private Duration failed() {
        Duration pause = nextPause;
        Duration doubled = pause.multipliedBy(2);
        nextPause = doubled.compareTo(MAX_PAUSE) < 0 ? doubled : MAX_PAUSE;
        return pause;
    }

    private void accepted() {
        nextPause = FIRST_PAUSE;
    }

    @Override
    public String toString() {
        return "AcceptBackoff[next pause " + nextPause.toMillis() + " ms]";
    }

    /**
     * One accept: the listener's accept, and after a failure that leaves the listener usable, a
     * pause on one reusable {@link Sleep} and a new accept. Polled by one task at a time.
     */
    private static final class Retrying<S> implements Async<S> {
        private final AcceptBackoff backoff;
        private final Supplier<Async<S>> accepts;
        private final BooleanSupplier listenerOpen;
        private Async<S> accepting;
        /** Made at the first failure, reset at each later one. */
        private Sleep pause;
        private boolean pausing;
        private boolean started;

        Retrying(AcceptBackoff backoff, Supplier<Async<S>> accepts, BooleanSupplier listenerOpen) {
            this.backoff = backoff;
            this.accepts = accepts;
            this.listenerOpen = listenerOpen;
        }

        @Override
        public Poll<S> poll(Context cx) throws Exception {
            if (!started) {
                // A runtime without timers would fail only at the first failure, under load: fail now.
                Time.now();
                started = true;
            }
            for (;;) {
                if (pausing) {
                    if (pause.poll(cx).isPending()) {
                        return Poll.pending();
                    }
                    pausing = false;
                }
                if (accepting == null) {
                    accepting = accepts.get();
                }
                Poll<S> p;
                try {
                    p = accepting.poll(cx);
                } catch (IOException e) {
                    // A computation that threw is spent; the next try is a new accept.
                    accepting = null;
                    if (!listenerOpen.getAsBoolean() || KyotoRuntime.isShutdownError(e)) {
                        throw e;
                    }
                    Duration d = backoff.failed();
                    backoff.onFailure.accept(e, d);
                    if (pause == null) {
                        pause = Time.sleep(d);
                    } else {
                        pause.reset(d);
                    }
                    pausing = true;
                    continue;
                }
                if (p.isReady()) {
                    accepting = null;
                    backoff.accepted();
                }
                return p;
            }
        }

        @Override
        public void cancel() {
            if (accepting != null) {
                accepting.cancel();
            }
            if (pause != null) {
                pause.cancel();
            }
        }
    }
}
