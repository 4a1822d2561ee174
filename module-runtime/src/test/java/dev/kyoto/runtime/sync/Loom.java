package dev.kyoto.runtime.sync;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.Waker;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.jetbrains.lincheck.Lincheck;

/**
 * Tokio's loom idioms on Lincheck, for the runtime's model checks: {@link #model} runs a
 * body under Lincheck's model checker, which explores the interleavings of the threads the body
 * {@link #fork}s; {@link #blockOn} is loom's {@code block_on}.
 *
 * <p>The property every model shares is Tokio's: no lost wake-up. {@code blockOn} parks while
 * the computation is pending and only a wake of its waker unparks it, so a pending poll whose
 * wake never comes leaves the thread parked for ever. Lincheck then reports that every live
 * thread is blocked, with the interleaving that led there, instead of hanging the build.
 */
public final class Loom {
    /** {@code -P soak} (system property {@code kyoto.soak}) explores this many times more. */
    public static final int SCALE = Boolean.getBoolean("kyoto.soak") ? 20 : 1;

    private Loom() {
    }

    /** A model's body, or one of its threads: may throw anything, which fails the check. */
    public interface Body {
        void run() throws Exception;
    }

    /**
     * Explores {@code invocations} interleavings of {@code body} (scaled under {@code -P soak}),
     * failing with the first one that throws, deadlocks or livelocks.
     */
    public static void model(int invocations, Body body) {
        Lincheck.runConcurrentTest(invocations * SCALE, () -> {
            try {
                body.run();
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    /**
     * Where {@link #fork} publishes each thread's body before starting it. Lincheck (3.7) takes an
     * object handed to a new thread only through the thread's constructor for one that thread
     * owns alone: it would not switch threads at that object's field accesses, and a model of a
     * lock-free class would miss every interleaving inside it. Writing the body to a static field
     * makes Lincheck mark it, and everything it captures, as shared.
     */
    @SuppressWarnings("unused")
    private static volatile Object shared;

    /** Starts a thread running {@code body}; {@link Forked#join()} rethrows what it threw. */
    public static Forked fork(Body body) {
        Forked f = new Forked(body);
        shared = f;
        f.thread.start();
        return f;
    }

    /** A thread of a model. */
    public static final class Forked implements Runnable {
        private final Body body;
        private final Thread thread = new Thread(this);
        /** Written by the thread before it ends, read after joining it. */
        private Throwable failure;

        private Forked(Body body) {
            this.body = body;
        }

        @Override
        public void run() {
            try {
                body.run();
            } catch (Throwable t) {
                failure = t;
            }
        }

        /** Waits for the thread and fails as it failed. */
        public void join() throws InterruptedException {
            thread.join();
            if (failure instanceof Error e) {
                throw e;
            }
            if (failure != null) {
                throw new AssertionError("a thread of the model failed", failure);
            }
        }
    }

    /**
     * Polls {@code async} on this thread until it is ready, parking between polls until its waker
     * is woken; returns its value or throws its failure.
     */
    public static <T> T blockOn(Async<T> async) throws Exception {
        ParkingWaker waker = new ParkingWaker();
        Context cx = new Context(waker);
        for (;;) {
            Poll<T> p = async.poll(cx);
            if (p.isReady()) {
                return p.value();
            }
            waker.park();
        }
    }

    /**
     * A waker that unparks the thread that made it. Wakes are counted, so a model can also check
     * that a waker was woken (or was not), and a wake that came before the park is not lost.
     */
    public static final class ParkingWaker implements Waker {
        private final Thread owner = Thread.currentThread();
        private final AtomicInteger wakes = new AtomicInteger();
        /** Wakes the owner has consumed by returning from {@link #park()}; the owner's. */
        private int consumed;

        @Override
        public void wake() {
            wakes.incrementAndGet();
            LockSupport.unpark(owner);
        }

        /** Owner only: returns once a wake came that this method has not returned for yet. */
        public void park() {
            while (wakes.get() == consumed) {
                LockSupport.park(this);
            }
            consumed = wakes.get();
        }

        /** How often this waker was woken so far. */
        public int wakes() {
            return wakes.get();
        }
    }
}
