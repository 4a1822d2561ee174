package dev.kyoto.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.Waker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TaskHarnessTest {

    /** A one-shot cell: pending until a value is set, then ready; wakes the waker it last saw. */
    private static final class Cell implements Async<String> {
        final AtomicReference<Waker> waker = new AtomicReference<>();
        final AtomicReference<String> value = new AtomicReference<>();
        final AtomicInteger cancels = new AtomicInteger();
        final List<Context> contexts = new ArrayList<>();

        @Override
        public Poll<String> poll(Context cx) {
            contexts.add(cx);
            waker.set(cx.waker());
            String v = value.get();
            return v == null ? Poll.pending() : Poll.ready(v);
        }

        @Override
        public void cancel() {
            cancels.incrementAndGet();
        }

        void complete(String v) {
            value.set(v);
            waker.get().wake();
        }
    }

    @Test
    void aWakeFromAnotherThreadIsSeenByTheTestThread() throws Exception {
        Cell cell = new Cell();
        TaskHarness<String> task = TaskHarness.of(cell);
        task.assertPending();
        assertFalse(task.isWoken());
        assertEquals(0, task.wakeCount());

        Thread completer = Thread.ofPlatform().start(() -> cell.complete("done"));
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> completer.join());

        assertTrue(task.isWoken());
        assertEquals(1, task.wakeCount());
        assertEquals("done", task.assertReady());
        assertFalse(task.isWoken(), "a poll starts a new wake window");
        assertTrue(task.isFinished());
    }

    @Test
    void theClassDocumentationExampleHolds() throws Exception {
        CompletableFuture<Integer> stage = new CompletableFuture<>();
        TaskHarness<Integer> task = TaskHarness.of(Async.fromCompletionStage(stage));
        task.assertPending();
        stage.complete(7);
        assertTrue(task.isWoken());
        assertEquals(7, task.assertReady());
    }

    @Test
    void everyPollGetsTheSameContext() throws Exception {
        Cell cell = new Cell();
        TaskHarness<String> task = TaskHarness.of(cell);
        task.assertPending();
        task.assertPending();
        assertSame(cell.contexts.get(0), cell.contexts.get(1));
    }

    @Test
    void aWakeDuringThePollCountsAsWokenAfterIt() throws Exception {
        TaskHarness<Void> task = TaskHarness.of(cx -> {
            cx.waker().wake();
            return Poll.pending();
        });
        task.assertPending();
        assertTrue(task.isWoken());
        assertEquals(1, task.wakeCount());
    }

    @Test
    void concurrentWakesAreAllCounted() {
        Cell cell = new Cell();
        TaskHarness<String> task = TaskHarness.of(cell);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            task.assertPending();
            Waker waker = cell.waker.get();
            int threads = 8;
            int wakesEach = 10_000;
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> wakers = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                wakers.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    for (int j = 0; j < wakesEach; j++) {
                        waker.wake();
                    }
                }));
            }
            start.countDown();
            for (Thread t : wakers) {
                t.join();
            }
            assertEquals((long) threads * wakesEach, task.wakeCount());
        });
    }

    @Test
    void cancelIsForwardedExactlyOnce() throws Exception {
        Cell cell = new Cell();
        TaskHarness<String> task = TaskHarness.of(cell);
        task.assertPending();

        assertTrue(task.cancel());
        assertFalse(task.cancel());
        assertEquals(1, cell.cancels.get());
        assertTrue(task.isCancelled());
        assertThrows(IllegalStateException.class, task::poll, "a cancelled computation is never polled again");
    }

    @Test
    void racingCancelsForwardOnce() {
        Cell cell = new Cell();
        TaskHarness<String> task = TaskHarness.of(cell);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            int threads = 8;
            AtomicInteger forwarded = new AtomicInteger();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> cancellers = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                cancellers.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    if (task.cancel()) {
                        forwarded.incrementAndGet();
                    }
                }));
            }
            start.countDown();
            for (Thread t : cancellers) {
                t.join();
            }
            assertEquals(1, forwarded.get());
            assertEquals(1, cell.cancels.get());
        });
    }

    @Test
    void cancelIsNotForwardedAfterTheComputationFinished() throws Exception {
        Cell cell = new Cell();
        cell.value.set("early");
        TaskHarness<String> task = TaskHarness.of(cell);
        assertEquals("early", task.assertReady());

        assertFalse(task.cancel());
        assertEquals(0, cell.cancels.get());
        assertThrows(IllegalStateException.class, task::poll, "a finished computation is never polled again");
    }

    @Test
    void cancelIsNotForwardedAfterTheComputationFailed() {
        AtomicInteger cancels = new AtomicInteger();
        IOException failure = new IOException("refused");
        TaskHarness<Void> task = TaskHarness.of(new Async<>() {
            @Override
            public Poll<Void> poll(Context cx) throws IOException {
                throw failure;
            }

            @Override
            public void cancel() {
                cancels.incrementAndGet();
            }
        });

        assertSame(failure, assertThrows(IOException.class, task::poll), "the failure is rethrown unchanged");
        assertTrue(task.isFinished());
        assertFalse(task.cancel());
        assertEquals(0, cancels.get());
    }

    @Test
    void aPollOrCancelFromInsideAPollIsRefused() throws Exception {
        AtomicReference<TaskHarness<Void>> self = new AtomicReference<>();
        AtomicInteger polls = new AtomicInteger();
        TaskHarness<Void> task = TaskHarness.of(cx -> {
            polls.incrementAndGet();
            assertThrows(IllegalStateException.class, () -> self.get().poll());
            assertThrows(IllegalStateException.class, () -> self.get().cancel());
            return Poll.pending();
        });
        self.set(task);
        task.assertPending();
        assertEquals(1, polls.get());
        assertFalse(task.isCancelled());
        task.assertPending();
        assertEquals(2, polls.get(), "a refused re-entry leaves the computation pollable");
    }

    @Test
    void theAssertionsFailWithTheUnexpectedOutcome() {
        AssertionError ready = assertThrows(AssertionError.class, () -> TaskHarness.of(Async.ready(42)).assertPending());
        assertTrue(ready.getMessage().contains("42"), ready.getMessage());

        AssertionError pending = assertThrows(AssertionError.class, () -> TaskHarness.of(new Cell()).assertReady());
        assertTrue(pending.getMessage().contains("pending"), pending.getMessage());
    }
}
