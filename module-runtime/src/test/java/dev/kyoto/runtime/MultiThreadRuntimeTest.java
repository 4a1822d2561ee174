package dev.kyoto.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MultiThreadRuntimeTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);

    private static KyotoRuntime multi(int workers) {
        return KyotoRuntime.builder().multiThread().workerThreads(workers).threadName("mt").build();
    }

    @Test
    void tasksRunOnNamedWorkerThreadsWithoutBlockOn() throws Exception {
        try (KyotoRuntime rt = multi(2)) {
            CountDownLatch ran = new CountDownLatch(1);
            AtomicReference<String> name = new AtomicReference<>();
            rt.spawn(cx -> {
                name.set(Thread.currentThread().getName());
                ran.countDown();
                return Poll.ready(null);
            });
            ran.await();
            assertTrue(name.get().matches("mt-[01]"), name.get());
            String blocking = rt.spawnBlocking(() -> Thread.currentThread().getName()).toCompletableFuture().get();
            assertTrue(blocking.startsWith("mt-blocking-"), blocking);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.kyoto.runtime.Flavours#both")
    void spawnFromInsideAndOutsideAndJoinInAnyOrder(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = flavour.get()) {
                List<JoinHandle<Integer>> outside = new ArrayList<>();
                for (int i = 0; i < 1_000; i++) {
                    int v = i;
                    outside.add(rt.spawn(Async.yieldNow().map(x -> v)));
                }
                JoinHandle<List<JoinHandle<Integer>>> spawner = rt.spawn(cx -> {
                    List<JoinHandle<Integer>> inside = new ArrayList<>();
                    for (int i = 0; i < 1_000; i++) {
                        int v = -i;
                        inside.add(Handle.current().spawn(Async.yieldNow().map(x -> v)));
                    }
                    return Poll.ready(inside);
                });
                List<JoinHandle<Integer>> inside = rt.blockOn(spawner);
                for (int i = outside.size() - 1; i >= 0; i--) {
                    int v = rt.blockOn(outside.get(i));
                    assertEquals(i, v);
                }
                for (int i = 0; i < inside.size(); i++) {
                    int v = rt.blockOn(inside.get(i));
                    assertEquals(-i, v);
                }
            }
        });
    }

    @ParameterizedTest
    @MethodSource("dev.kyoto.runtime.Flavours#both")
    void throwingTasksDoNotTakeTheRuntimeDown(Supplier<KyotoRuntime> flavour) throws Exception {
        try (KyotoRuntime rt = flavour.get()) {
            List<JoinHandle<Object>> failing = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                RuntimeException boom = new IllegalStateException("task " + i);
                failing.add(rt.spawn(cx -> {
                    throw boom;
                }));
            }
            for (int i = 0; i < failing.size(); i++) {
                JoinHandle<Object> h = failing.get(i);
                assertEquals("task " + i, assertThrows(IllegalStateException.class, () -> rt.blockOn(h)).getMessage());
            }
            int after = rt.blockOn(rt.spawn(Async.ready(7)));
            assertEquals(7, after);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.kyoto.runtime.Flavours#both")
    void abortBeforeDuringAndAfterAPoll(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = flavour.get()) {
                // Before: spawned and aborted at once; if it ever runs it must not be polled.
                AtomicInteger polledBefore = new AtomicInteger();
                AtomicInteger cancelledBefore = new AtomicInteger();
                JoinHandle<Object> before = rt.spawn(counting(polledBefore, cancelledBefore, null));
                before.abort();
                assertThrows(CancellationException.class, () -> rt.blockOn(before));
                assertTrue(polledBefore.get() <= 1, "a worker may have polled it once before the abort");
                assertEquals(1, cancelledBefore.get());

                // During: the task aborts itself mid-poll; cancel() runs once when the poll returns.
                AtomicReference<JoinHandle<Object>> self = new AtomicReference<>();
                AtomicInteger cancelledDuring = new AtomicInteger();
                CountDownLatch published = new CountDownLatch(1);
                JoinHandle<Object> during = rt.spawn(new Async<>() {
                    @Override
                    public Poll<Object> poll(Context cx) throws Exception {
                        published.await();
                        self.get().abort();
                        return Poll.pending();
                    }

                    @Override
                    public void cancel() {
                        cancelledDuring.incrementAndGet();
                    }
                });
                self.set(during);
                published.countDown();
                assertThrows(CancellationException.class, () -> rt.blockOn(during));
                assertEquals(1, cancelledDuring.get());

                // After: a parked task, aborted from this thread.
                AtomicInteger polledAfter = new AtomicInteger();
                AtomicInteger cancelledAfter = new AtomicInteger();
                CountDownLatch parked = new CountDownLatch(1);
                JoinHandle<Object> after = rt.spawn(counting(polledAfter, cancelledAfter, parked));
                awaitPoll(rt, parked);
                after.abort();
                assertThrows(CancellationException.class, () -> rt.blockOn(after));
                assertEquals(1, cancelledAfter.get());
                assertEquals(1, polledAfter.get());
            }
        });
    }

    /** On a current-thread runtime tasks run only inside blockOn, so wait there. */
    private static void awaitPoll(KyotoRuntime rt, CountDownLatch latch) throws Exception {
        rt.blockOn(new Async<Void>() {
            @Override
            public Poll<Void> poll(Context cx) {
                if (latch.getCount() == 0) {
                    return Poll.ready(null);
                }
                cx.waker().wake();
                return Poll.pending();
            }
        });
    }

    private static Async<Object> counting(AtomicInteger polls, AtomicInteger cancels, CountDownLatch firstPoll) {
        return new Async<>() {
            @Override
            public Poll<Object> poll(Context cx) {
                polls.incrementAndGet();
                if (firstPoll != null) {
                    firstPoll.countDown();
                }
                return Poll.pending();
            }

            @Override
            public void cancel() {
                cancels.incrementAndGet();
            }
        };
    }

    @ParameterizedTest
    @MethodSource("dev.kyoto.runtime.Flavours#both")
    void spawnBlockingFromATaskAndFromOutside(Supplier<KyotoRuntime> flavour) throws Exception {
        try (KyotoRuntime rt = flavour.get()) {
            int outside = rt.blockOn(rt.spawnBlocking(() -> 40));
            int inside = rt.blockOn(rt.spawn(Async.ready(1)
                    .then(v -> Handle.current().spawnBlocking(() -> v + 1))));
            assertEquals(42, outside + inside);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.kyoto.runtime.Flavours#both")
    void blockOnFromATaskIsRefused(Supplier<KyotoRuntime> flavour) {
        try (KyotoRuntime rt = flavour.get()) {
            JoinHandle<Object> h = rt.spawn(cx -> Poll.ready(rt.blockOn(Async.ready(1))));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> rt.blockOn(h));
            assertTrue(e.getMessage().contains("cannot block a thread that drives asynchronous tasks"), e.getMessage());
        }
    }

    @ParameterizedTest
    @MethodSource("dev.kyoto.runtime.Flavours#both")
    void spawnAfterShutdownIsCancelled(Supplier<KyotoRuntime> flavour) {
        KyotoRuntime rt = flavour.get();
        rt.close();
        JoinHandle<Integer> h = rt.spawn(Async.ready(1));
        assertTrue(h.isFinished());
        assertThrows(CancellationException.class, () -> h.toCompletableFuture().join());
    }

    @ParameterizedTest
    @MethodSource("dev.kyoto.runtime.Flavours#both")
    void closeCancelsEveryParkedTaskExactlyOnce(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(LIMIT, () -> {
            KyotoRuntime rt = flavour.get();
            int n = 1_000;
            AtomicInteger polls = new AtomicInteger();
            AtomicInteger cancels = new AtomicInteger();
            CountDownLatch allPolled = new CountDownLatch(n);
            List<JoinHandle<Object>> handles = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                handles.add(rt.spawn(counting(polls, cancels, allPolled)));
            }
            awaitPoll(rt, allPolled);
            rt.close();
            assertEquals(n, cancels.get());
            for (JoinHandle<Object> h : handles) {
                assertThrows(CancellationException.class, () -> h.toCompletableFuture().join());
            }
        });
    }

    @Test
    void shutdownTimeoutReturnsWhileABlockingTaskIsStillRunning() throws Exception {
        KyotoRuntime rt = multi(2);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        JoinHandle<Object> stuck = rt.spawnBlocking(() -> {
            started.countDown();
            release.await();
            return null;
        });
        started.await();
        long t0 = System.nanoTime();
        rt.shutdownTimeout(Duration.ofMillis(200));
        long took = System.nanoTime() - t0;
        assertTrue(took < Duration.ofSeconds(5).toNanos(), "shutdownTimeout took " + took / 1_000_000 + " ms");
        assertTrue(!stuck.isFinished());
        release.countDown();
        stuck.toCompletableFuture().get();
    }

    @Test
    void shutdownTimeoutIsBoundedEvenWhenAThreadIsStuckInsideBlockOn() {
        assertTimeoutPreemptively(LIMIT, () -> {
            KyotoRuntime rt = KyotoRuntime.builder().currentThread().build();
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread stuck = Thread.ofPlatform().start(() -> {
                try {
                    rt.blockOn(cx -> {
                        inside.countDown();
                        release.await();
                        return Poll.ready(null);
                    });
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            inside.await();
            AtomicInteger cancels = new AtomicInteger();
            JoinHandle<Object> idle = rt.spawn(counting(new AtomicInteger(), cancels, null));
            long t0 = System.nanoTime();
            rt.shutdownTimeout(Duration.ofMillis(100));
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos(), "shutdownTimeout waited for the stuck poll");
            release.countDown();
            stuck.join();
            assertThrows(CancellationException.class, () -> idle.toCompletableFuture().join());
            assertEquals(1, cancels.get());
        });
    }

    @Test
    void threadHooksRunOnEveryRuntimeThread() throws Exception {
        Set<String> started = ConcurrentHashMap.newKeySet();
        Set<String> stopped = ConcurrentHashMap.newKeySet();
        KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(3).threadName("hooked")
                .onThreadStart(() -> started.add(Thread.currentThread().getName()))
                .onThreadStop(() -> stopped.add(Thread.currentThread().getName()))
                .build();
        rt.blockOn(rt.spawnBlocking(() -> null));
        rt.close();
        assertTrue(started.containsAll(Set.of("hooked-0", "hooked-1", "hooked-2", "hooked-blocking-0")), started.toString());
        assertEquals(started, stopped);
    }

    @Test
    void builderRefusesBadWorkerCounts() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KyotoRuntime.builder().multiThread().workerThreads(0));
        assertTrue(e.getMessage().contains("workerThreads") && e.getMessage().contains("0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KyotoRuntime.builder().workerThreads(-2));
    }

    @Test
    void blockOnRunsOnTheCallingThreadWhileWorkersRunTasks() throws Exception {
        try (KyotoRuntime rt = multi(2)) {
            Thread me = Thread.currentThread();
            CountDownLatch workerRan = new CountDownLatch(1);
            rt.spawn(cx -> {
                workerRan.countDown();
                return Poll.ready(null);
            });
            Thread polledOn = rt.blockOn(cx -> {
                if (workerRan.getCount() > 0) {
                    cx.waker().wake();
                    return Poll.pending();
                }
                return Poll.ready(Thread.currentThread());
            });
            assertSame(me, polledOn);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.kyoto.runtime.Flavours#both")
    void aFailingBlockOnKeepsTheRuntimeUsable(Supplier<KyotoRuntime> flavour) throws Exception {
        try (KyotoRuntime rt = flavour.get()) {
            assertThrows(IOException.class, () -> rt.blockOn(Async.failed(new IOException("x"))));
            int v = rt.blockOn(rt.spawn(Async.yieldNow().map(x -> 3)));
            assertEquals(3, v);
        }
    }
}
