package dev.kyoto.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.time.Time;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Cancel means cancel across the bridges to {@link CompletableFuture}, in both directions. */
class CompletableFutureBridgeTest {

    /** Pending for ever; counts down when polled and when cancelled. */
    static final class Parked implements Async<String> {
        final CountDownLatch polled = new CountDownLatch(1);
        final CountDownLatch cancelled = new CountDownLatch(1);

        @Override
        public Poll<String> poll(Context cx) {
            polled.countDown();
            return Poll.pending();
        }

        @Override
        public void cancel() {
            cancelled.countDown();
        }
    }

    @ParameterizedTest
    @MethodSource("dev.kyoto.runtime.Flavours#both")
    void cancellingTheBridgeAbortsTheTask(Supplier<KyotoRuntime> flavour) throws Exception {
        JoinHandleJoinersTest.Gate end = new JoinHandleJoinersTest.Gate();
        try (KyotoRuntime rt = flavour.get()) {
            // A current-thread runtime runs tasks only while a thread is inside blockOn.
            Thread driver = Thread.ofPlatform().name("driver").start(() -> {
                try {
                    rt.blockOn(end);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            Parked parked = new Parked();
            JoinHandle<String> h = rt.spawn(parked);
            assertTrue(parked.polled.await(30, TimeUnit.SECONDS));
            CompletableFuture<String> bridge = h.toCompletableFuture();
            assertTrue(bridge.cancel(true));
            assertTrue(parked.cancelled.await(10, TimeUnit.SECONDS), "cancelling the bridge aborted the task");
            assertThrows(CancellationException.class, () -> rt.blockOn(h));
            assertTrue(h.isFinished());
            assertTrue(bridge.isCancelled());
            end.open();
            driver.join();
        } finally {
            end.open();
        }
    }

    @Test
    void cancellingAFutureDerivedFromTheBridgeLeavesTheTaskAlone() throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().build()) {
            JoinHandleJoinersTest.Gate gate = new JoinHandleJoinersTest.Gate();
            JoinHandle<String> h = rt.spawn(gate);
            CompletableFuture<Integer> derived = h.toCompletableFuture().thenApply(String::length);
            assertTrue(derived.cancel(true));
            gate.open();
            assertEquals("done", rt.blockOn(h));
            assertEquals("done", h.toCompletableFuture().get());
        }
    }

    private static final Context NOBODY = new Context(Waker.noop());

    @Test
    void cancelledWaitsOnAStageThatNeverCompletesLeaveNothingOnIt() throws Exception {
        CompletableFuture<String> never = new CompletableFuture<>();
        for (int i = 0; i < 100_000; i++) {
            Async<String> wait = Async.fromCompletionStage(never);
            assertTrue(wait.poll(NOBODY).isPending());
            wait.cancel();
        }
        assertEquals(0, never.getNumberOfDependents(), "callbacks left on the stage");
        assertFalse(never.isDone(), "cancelling a wait does not cancel the stage");
    }

    @Test
    void waitsCancelledOnManyThreadsAtOnceLeaveNothingOnTheStage() throws Exception {
        CompletableFuture<String> never = new CompletableFuture<>();
        List<Thread> threads = new ArrayList<>();
        AtomicInteger failures = new AtomicInteger();
        for (int t = 0; t < 4; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < 50_000; i++) {
                        Async<String> wait = Async.fromCompletionStage(never);
                        wait.poll(NOBODY);
                        wait.cancel();
                    }
                } catch (Exception e) {
                    failures.incrementAndGet();
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(0, failures.get());
        // Concurrent unlinking may miss a node now and then; the next cancellation takes it.
        Async<String> last = Async.fromCompletionStage(never);
        last.poll(NOBODY);
        last.cancel();
        assertTrue(never.getNumberOfDependents() <= 8, "callbacks left on the stage: " + never.getNumberOfDependents());
    }

    @Test
    void timeoutsRacingAStageThatNeverCompletesLeaveNothingOnIt() throws Exception {
        CompletableFuture<String> never = new CompletableFuture<>();
        try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().enableTime().startPaused(true).build()) {
            for (int i = 0; i < 10_000; i++) {
                assertThrows(TimeoutException.class,
                        () -> rt.blockOn(Time.timeout(Duration.ofSeconds(1), Async.fromCompletionStage(never))));
            }
        }
        assertEquals(0, never.getNumberOfDependents(), "callbacks left on the stage");
    }

    @Test
    void aStageThatFailsWakesItsWaiterWithTheFailure() throws Exception {
        CompletableFuture<String> stage = new CompletableFuture<>();
        AtomicInteger wakes = new AtomicInteger();
        Async<String> wait = Async.fromCompletionStage(stage);
        Context cx = new Context(wakes::incrementAndGet);
        assertTrue(wait.poll(cx).isPending());
        IOException boom = new IOException("boom");
        stage.completeExceptionally(boom);
        assertEquals(1, wakes.get());
        assertSame(boom, assertThrows(IOException.class, () -> wait.poll(cx)));
    }

    @Test
    void aStageThatCompletesWakesTheLatestWaker() throws Exception {
        CompletableFuture<String> stage = new CompletableFuture<>();
        AtomicInteger first = new AtomicInteger();
        AtomicInteger second = new AtomicInteger();
        Async<String> wait = Async.fromCompletionStage(stage);
        assertTrue(wait.poll(new Context(first::incrementAndGet)).isPending());
        assertTrue(wait.poll(new Context(second::incrementAndGet)).isPending());
        stage.complete("x");
        assertEquals(0, first.get());
        assertEquals(1, second.get());
        assertEquals("x", wait.poll(NOBODY).value());
    }

    @Test
    void aCancelledWaitIsNotWokenWhenTheStageCompletesLater() throws Exception {
        CompletableFuture<String> stage = new CompletableFuture<>();
        AtomicInteger wakes = new AtomicInteger();
        Async<String> wait = Async.fromCompletionStage(stage);
        assertTrue(wait.poll(new Context(wakes::incrementAndGet)).isPending());
        wait.cancel();
        stage.complete("late");
        assertEquals(0, wakes.get());
    }
}
