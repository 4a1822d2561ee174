package dev.kyoto.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code Async.loop}: runs while true, flat stack, cooperative, failures end it. */
class LoopTest {
    private static final Context CX = new Context(Waker.noop());
    private static final int MILLION = 1_000_000;

    @Test
    void aMillionImmediatelyReadyRunsCompleteInOnePollWithoutOverflowingTheStack() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        Async<Void> loop = Async.loop(() -> Async.ready(runs.incrementAndGet() < MILLION));
        assertTrue(loop.poll(CX).isReady(), "outside a task the budget is unlimited");
        assertEquals(MILLION, runs.get());
    }

    static Stream<Named<Supplier<KyotoRuntime>>> flavours() {
        return Flavours.both();
    }

    @ParameterizedTest
    @MethodSource("flavours")
    void aMillionImmediatelyReadyRunsCompleteInATask(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (KyotoRuntime rt = flavour.get()) {
                AtomicInteger runs = new AtomicInteger();
                AtomicInteger polls = new AtomicInteger();
                Async<Void> loop = Async.loop(() -> Async.ready(runs.incrementAndGet() < MILLION));
                rt.blockOn(rt.spawn(cx -> {
                    polls.incrementAndGet();
                    return loop.poll(cx);
                }));
                assertEquals(MILLION, runs.get());
                assertTrue(polls.get() >= MILLION / 128, "each poll ran at most a budget's worth of runs: " + polls.get() + " polls");
            }
        });
    }

    @Test
    void theLoopEndsWhenARunCompletesWithFalse() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        Async<Void> loop = Async.loop(() -> Async.ready(runs.incrementAndGet() < 5));
        assertTrue(loop.poll(CX).isReady());
        assertEquals(5, runs.get());
    }

    @Test
    void eachRunStartsWhenTheLastCompleted() throws Exception {
        AtomicInteger made = new AtomicInteger();
        Stub<Boolean>[] runs = newStubs(3);
        Async<Void> loop = Async.loop(() -> runs[made.getAndIncrement()]);
        assertTrue(loop.poll(CX).isPending());
        assertTrue(loop.poll(CX).isPending());
        assertEquals(1, made.get(), "no new run while one is pending");
        runs[0].complete(true);
        assertTrue(loop.poll(CX).isPending());
        assertEquals(2, made.get());
        runs[1].complete(true);
        runs[2].complete(false);
        assertTrue(loop.poll(CX).isReady());
        assertEquals(3, made.get());
    }

    @SuppressWarnings("unchecked")
    private static Stub<Boolean>[] newStubs(int n) {
        Stub<Boolean>[] stubs = new Stub[n];
        for (int i = 0; i < n; i++) {
            stubs[i] = new Stub<>();
        }
        return stubs;
    }

    @Test
    void aFailingRunEndsTheLoopWithItsFailure() {
        AtomicInteger runs = new AtomicInteger();
        IOException boom = new IOException("boom");
        Async<Void> loop = Async.loop(() -> runs.incrementAndGet() < 3 ? Async.ready(true) : Async.failed(boom));
        assertSame(boom, assertThrows(IOException.class, () -> loop.poll(CX)));
        assertEquals(3, runs.get());
    }

    @Test
    void aFailingBodyEndsTheLoopWithItsFailure() {
        IOException boom = new IOException("boom");
        Async<Void> loop = Async.loop(() -> {
            throw boom;
        });
        assertSame(boom, assertThrows(IOException.class, () -> loop.poll(CX)));
    }

    @Test
    void aRunCompletingWithNullFailsSayingWhatToReturn() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Async.loop(() -> Async.ready(null)).poll(CX));
        assertTrue(e.getMessage().contains("true") && e.getMessage().contains("false"), e.getMessage());
    }

    @Test
    void aBodyReturningNullFailsSayingWhatToReturn() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> Async.loop(() -> null).poll(CX));
        assertTrue(e.getMessage().contains("Async.loop"), e.getMessage());
    }

    @Test
    void cancellingCancelsTheRunInProgressOnce() throws Exception {
        Stub<Boolean> run = new Stub<>();
        Async<Void> loop = Async.loop(() -> run);
        assertTrue(loop.poll(CX).isPending());
        loop.cancel();
        assertEquals(1, run.cancels());
    }

    @Test
    void cancellingBeforeTheFirstPollMakesNoRun() {
        AtomicInteger made = new AtomicInteger();
        Async.loop(() -> {
            made.incrementAndGet();
            return Async.ready(true);
        }).cancel();
        assertEquals(0, made.get());
    }

    /**
     * A loop that spins on ready runs shares its current-thread runtime: it yields when its
     * budget is spent, so another task gets to run and stops it.
     */
    @Test
    void aSpinningLoopLetsAnotherTaskOnItsThreadRunAndStopIt() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().build()) {
                AtomicBoolean stop = new AtomicBoolean();
                AtomicInteger runs = new AtomicInteger();
                JoinHandle<Void> spinner = rt.spawn(Async.loop(() -> {
                    runs.incrementAndGet();
                    return Async.ready(!stop.get());
                }));
                JoinHandle<Void> stopper = rt.spawn(cx -> {
                    stop.set(true);
                    return Poll.ready(null);
                });
                rt.blockOn(spinner);
                assertTrue(stopper.isFinished());
                assertTrue(runs.get() > 1, "the loop spun before the other task ran: " + runs.get());
            }
        });
    }
}
