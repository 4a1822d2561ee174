package dev.kyoto.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.sync.Barrier;
import dev.kyoto.runtime.sync.Mpsc;
import dev.kyoto.runtime.sync.Oneshot;
import dev.kyoto.runtime.sync.Semaphore;
import dev.kyoto.runtime.time.Time;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code Async.await()} and {@code spawnVirtual}: straight-line code on virtual threads, with a
 * multi-thread runtime underneath. Waits are on the events themselves (joins, latches counted
 * down when a computation goes pending), never on the clock.
 */
@Timeout(120)
class VirtualTaskTest {

    private static KyotoRuntime multiThread() {
        return KyotoRuntime.builder().multiThread().workerThreads(2).enableTime().build();
    }

    /**
     * A computation that counts its cancellations and counts a latch down each time a poll of
     * it returns pending: the test's sign that a thread is waiting in it.
     */
    private static final class Watched<T> implements Async<T> {
        final Async<T> inner;
        final CountDownLatch pending = new CountDownLatch(1);
        final AtomicInteger cancels = new AtomicInteger();

        Watched(Async<T> inner) {
            this.inner = inner;
        }

        @Override
        public Poll<T> poll(Context cx) throws Exception {
            Poll<T> p = inner.poll(cx);
            if (p.isPending()) {
                pending.countDown();
            }
            return p;
        }

        @Override
        public void cancel() {
            cancels.incrementAndGet();
            inner.cancel();
        }
    }

    @Test
    void aVirtualTaskAwaitsTimersChannelsAndOtherTasksInStraightLineCode() throws Exception {
        try (KyotoRuntime rt = multiThread()) {
            Oneshot.Channel<String> reply = Oneshot.channel();
            Mpsc.Channel<Integer> numbers = Mpsc.bounded(4);
            JoinHandle<Integer> producer = rt.spawn(Async.loop(new ThrowingSupplier<Async<Boolean>>() {
                int next;

                @Override
                public Async<Boolean> get() {
                    if (next == 100) {
                        numbers.sender().close();
                        reply.sender().send("done");
                        return Async.ready(false);
                    }
                    return numbers.sender().send(next++).map(v -> true);
                }
            }).map(v -> 42));
            JoinHandle<String> body = rt.spawnVirtual(() -> {
                long before = System.nanoTime();
                Time.sleep(Duration.ofMillis(20)).await();
                long slept = System.nanoTime() - before;
                int sum = 0;
                for (Integer n; (n = numbers.receiver().recv().await()) != null; ) {
                    sum += n;
                }
                return slept / 1_000_000 + " " + sum + " " + reply.receiver().await() + " " + producer.await();
            });
            String[] result = rt.blockOn(body).split(" ");
            assertTrue(Long.parseLong(result[0]) >= 20, "slept " + result[0] + " ms of a 20 ms sleep");
            assertEquals("4950", result[1], "every number sent arrived, in a plain for loop");
            assertEquals("done", result[2]);
            assertEquals("42", result[3], "a task's handle is awaited like anything else");
        }
    }

    @Test
    void aFailureReachesTheJoinerUnchanged() throws Exception {
        IOException failure = new IOException("the body's own failure");
        try (KyotoRuntime rt = multiThread()) {
            JoinHandle<Void> body = rt.spawnVirtual("failing body", () -> {
                Time.sleep(Duration.ofMillis(1)).await();
                throw failure;
            });
            assertSame(failure, assertThrows(IOException.class, () -> rt.blockOn(body)));
            assertEquals("failing body", body.name());
        }
    }

    @Test
    void aComputationsFailureIsThrownByAwaitUnchanged() throws Exception {
        IllegalArgumentException failure = new IllegalArgumentException("from the computation");
        try (KyotoRuntime rt = multiThread()) {
            JoinHandle<Throwable> body = rt.spawnVirtual(() -> {
                try {
                    Time.sleep(Duration.ofMillis(1)).then(v -> Async.<Void>failed(failure)).await();
                    return null;
                } catch (IllegalArgumentException e) {
                    return e;
                }
            });
            assertSame(failure, rt.blockOn(body));
        }
    }

    @Test
    void anUnjoinedFailureGoesToTheRuntimesHandlerWithTheTasksName() throws Exception {
        CompletableFuture<String> reported = new CompletableFuture<>();
        try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(2).enableTime()
                .onUnhandledFailure((name, failure) -> reported.complete(name + ": " + failure.getMessage())).build()) {
            rt.spawnVirtual("fire and forget", () -> {
                throw new IOException("nobody listens");
            });
            assertEquals("fire and forget: nobody listens", reported.get());
        }
    }

    @Test
    void everythingComposesTimeoutRaceAndUsing() throws Exception {
        Semaphore never = new Semaphore(0);
        AtomicBoolean closed = new AtomicBoolean();
        try (KyotoRuntime rt = multiThread()) {
            JoinHandle<String> body = rt.spawnVirtual(() -> {
                assertThrows(TimeoutException.class, () -> Time.timeout(Duration.ofMillis(10), never.acquire()).await());
                String won = Async.race(never.acquire().map(p -> "permit"),
                        Time.sleep(Duration.ofMillis(5)).map(v -> "timer")).await();
                AutoCloseable resource = () -> closed.set(true);
                String used = Async.using(resource, r -> Time.sleep(Duration.ofMillis(1)).map(v -> "used")).await();
                return won + " " + used;
            });
            assertEquals("timer used", rt.blockOn(body));
            assertTrue(closed.get(), "using closed its resource");
            never.addPermits(1);
            assertEquals(1, never.availablePermits(), "the timed-out and the losing acquire left no waiter behind");
        }
    }

    @Test
    void awaitOnAWorkerOrInATaskOrInBlockOnFailsAtOnceSayingWhatToDo() throws Exception {
        try (KyotoRuntime rt = multiThread()) {
            IllegalStateException inTask = assertThrows(IllegalStateException.class,
                    () -> rt.blockOn(rt.spawn(Async.defer(() -> Async.ready(Time.sleep(Duration.ofMillis(1)).await())))));
            assertTrue(inTask.getMessage().contains("would block a thread that runs Kyoto tasks"), inTask.getMessage());
            assertTrue(inTask.getMessage().contains("then(..)") && inTask.getMessage().contains("spawnVirtual"), inTask.getMessage());
            IllegalStateException inBlockOn = assertThrows(IllegalStateException.class,
                    () -> rt.blockOn(Async.defer(() -> Async.ready(Async.ready(1).await()))));
            assertEquals(inTask.getMessage(), inBlockOn.getMessage());
            // Inside a virtual task's own computation: a poll never blocks, there either.
            JoinHandle<Integer> nested = rt.spawnVirtual(() -> Time.sleep(Duration.ofMillis(1))
                    .map(v -> Async.ready(7).await()).await());
            assertEquals(inTask.getMessage(), assertThrows(IllegalStateException.class, () -> rt.blockOn(nested)).getMessage());
        }
    }

    @Test
    void awaitWithoutARuntimeNamesSpawnVirtualAndEnter() throws Exception {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Async.ready(1).await());
        assertTrue(e.getMessage().contains("spawnVirtual") && e.getMessage().contains("handle.enter()"), e.getMessage());
        // Entered, a platform thread awaits too.
        try (KyotoRuntime rt = multiThread(); Handle.EnterGuard g = rt.handle().enter()) {
            assertEquals("slept", Time.sleep(Duration.ofMillis(2)).map(v -> "slept").await());
        }
    }

    @Test
    void aCurrentThreadRuntimeRefusesVirtualTasksAndAwaitSayingWhy() throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().enableTime().build()) {
            IllegalStateException spawn = assertThrows(IllegalStateException.class, () -> rt.spawnVirtual(() -> 1));
            assertTrue(spawn.getMessage().contains("multiThread()"), spawn.getMessage());
            try (Handle.EnterGuard g = rt.handle().enter()) {
                IllegalStateException await = assertThrows(IllegalStateException.class, () -> Async.ready(1).await());
                assertTrue(await.getMessage().contains("multiThread()"), await.getMessage());
            }
        }
    }

    @Test
    void interruptingAnAwaitCancelsTheComputationReleasesItAndThrowsInterruptedException() throws Exception {
        Semaphore semaphore = new Semaphore(0);
        Watched<Semaphore.Permit> acquire = new Watched<>(semaphore.acquire());
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean statusAfter = new AtomicBoolean(true);
        try (KyotoRuntime rt = multiThread()) {
            Thread waiter = Thread.ofVirtual().start(() -> {
                try (Handle.EnterGuard g = rt.handle().enter()) {
                    acquire.await();
                } catch (Throwable t) {
                    thrown.set(t);
                    statusAfter.set(Thread.currentThread().isInterrupted());
                }
            });
            acquire.pending.await();
            waiter.interrupt();
            waiter.join();
            assertInstanceOf(InterruptedException.class, thrown.get());
            assertFalse(statusAfter.get(), "the interrupt status is cleared, as the JDK's blocking methods clear it");
            assertEquals(1, acquire.cancels.get(), "the awaited computation was cancelled exactly once");
            semaphore.addPermits(1);
            assertEquals(1, semaphore.availablePermits(), "the cancelled acquire left no waiter to take the permit");
        }
    }

    @Test
    void aThreadInterruptedBeforeItWouldWaitThrowsAtOnceButAReadyValueIsReturned() throws Exception {
        try (KyotoRuntime rt = multiThread()) {
            JoinHandle<String> body = rt.spawnVirtual(() -> {
                Thread.currentThread().interrupt();
                String ready = Async.ready("ready").await();
                boolean stillSet = Thread.currentThread().isInterrupted();
                Watched<Void> sleep = new Watched<>(Time.sleep(Duration.ofHours(1)));
                assertThrows(InterruptedException.class, sleep::await);
                return ready + " " + stillSet + " " + sleep.cancels.get();
            });
            assertEquals("ready true 1", rt.blockOn(body));
        }
    }

    @Test
    void abortCancelsTheAwaitedComputationUnwindsTheBodyAndEndsTheTaskCancelled() throws Exception {
        Semaphore semaphore = new Semaphore(0);
        Watched<Semaphore.Permit> acquire = new Watched<>(semaphore.acquire());
        AtomicReference<Throwable> first = new AtomicReference<>();
        AtomicReference<Throwable> later = new AtomicReference<>();
        AtomicInteger laterCancels = new AtomicInteger();
        AtomicBoolean closed = new AtomicBoolean();
        try (KyotoRuntime rt = multiThread()) {
            JoinHandle<String> body = rt.spawnVirtual(() -> {
                try (AutoCloseable resource = () -> closed.set(true)) {
                    acquire.await();
                    return "acquired";
                } catch (CancellationException e) {
                    first.set(e);
                    // A body that swallows the abort cannot await its way past it.
                    Watched<Void> again = new Watched<>(Async.ready(null));
                    try {
                        again.await();
                    } catch (CancellationException e2) {
                        later.set(e2);
                    }
                    laterCancels.set(again.cancels.get());
                    return "swallowed the abort";
                }
            });
            acquire.pending.await();
            body.abort();
            assertThrows(CancellationException.class, () -> rt.blockOn(body),
                    "the task ends cancelled even though its body returned a value after the abort");
            assertInstanceOf(CancellationException.class, first.get());
            assertInstanceOf(CancellationException.class, later.get(), "every await after the abort fails at once");
            assertEquals(1, laterCancels.get(), "and cancels the computation it was given");
            assertEquals(1, acquire.cancels.get());
            assertTrue(closed.get(), "try-with-resources closed the body's resource");
            semaphore.addPermits(1);
            assertEquals(1, semaphore.availablePermits(), "the cancelled acquire left no waiter behind");
        }
    }

    @Test
    void abortInterruptsTheJdksOwnBlockingCallsToo() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        try (KyotoRuntime rt = multiThread()) {
            JoinHandle<Void> body = rt.spawnVirtual(() -> {
                started.countDown();
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    thrown.set(e);
                }
                return null;
            });
            started.await();
            body.abort();
            assertThrows(CancellationException.class, () -> rt.blockOn(body));
            assertInstanceOf(InterruptedException.class, thrown.get());
        }
    }

    @Test
    void shutdownAbortsEveryVirtualTaskAndWaitsForItsBodyToEnd() throws Exception {
        int tasks = 200;
        Semaphore never = new Semaphore(0);
        AtomicInteger unwound = new AtomicInteger();
        List<JoinHandle<Void>> handles = new ArrayList<>();
        List<Watched<Semaphore.Permit>> waits = new ArrayList<>();
        KyotoRuntime rt = multiThread();
        for (int i = 0; i < tasks; i++) {
            Watched<Semaphore.Permit> w = new Watched<>(never.acquire());
            waits.add(w);
            handles.add(rt.spawnVirtual(() -> {
                try {
                    w.await();
                } finally {
                    unwound.incrementAndGet();
                }
                return null;
            }));
        }
        for (Watched<Semaphore.Permit> w : waits) {
            w.pending.await();
        }
        rt.close();
        assertEquals(tasks, unwound.get(), "close() returned only after every body had unwound");
        for (int i = 0; i < tasks; i++) {
            assertTrue(handles.get(i).isFinished());
            JoinHandle<Void> h = handles.get(i);
            assertThrows(CancellationException.class, () -> h.toCompletableFuture().join());
            assertEquals(1, waits.get(i).cancels.get(), "task " + i + "'s acquire was cancelled");
        }
        never.addPermits(1);
        assertEquals(1, never.availablePermits(), "no waiter is left in the semaphore");
    }

    @Test
    void aBodySpawnedAfterShutdownNeverRunsAndItsHandleReportsCancellation() throws Exception {
        KyotoRuntime rt = multiThread();
        rt.close();
        AtomicBoolean ran = new AtomicBoolean();
        JoinHandle<Integer> h = rt.spawnVirtual(() -> {
            ran.set(true);
            return 1;
        });
        CompletableFuture<Integer> outcome = h.toCompletableFuture();
        assertThrows(CancellationException.class, outcome::join);
        assertFalse(ran.get());
    }

    @Test
    void tenThousandVirtualTasksWaitAtOnceOnOneRuntime() throws Exception {
        int tasks = 10_000;
        // The barrier trips only when all 10,000 bodies and this thread wait on it at once.
        Barrier barrier = new Barrier(tasks + 1);
        try (KyotoRuntime rt = multiThread()) {
            List<JoinHandle<Integer>> handles = new ArrayList<>(tasks);
            for (int i = 0; i < tasks; i++) {
                int n = i;
                handles.add(rt.spawnVirtual(() -> {
                    barrier.await().await();
                    Time.sleep(Duration.ofMillis(1)).await();
                    return n;
                }));
            }
            rt.blockOn(barrier.await());
            long sum = 0;
            for (JoinHandle<Integer> h : handles) {
                sum += rt.blockOn(h);
            }
            assertEquals((long) tasks * (tasks - 1) / 2, sum);
        }
    }
}
