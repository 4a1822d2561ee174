package dev.kyoto.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.sync.Oneshot;
import dev.kyoto.runtime.time.Time;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link RuntimeMetrics}: each counter moves with what the runtime does, on both flavours. */
@Timeout(120)
class RuntimeMetricsTest {

    /** Waits, without sleeping, until {@code value} reaches at least {@code expected}; returns it. */
    private static long awaitAtLeast(LongSupplier value, long expected) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        long v;
        while ((v = value.getAsLong()) < expected && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        return v;
    }

    private static long sum(RuntimeMetrics m, java.util.function.IntToLongFunction perWorker) {
        long total = 0;
        for (int i = 0; i < m.workers(); i++) {
            total += perWorker.applyAsLong(i);
        }
        return total;
    }

    @Test
    void spawnedAndAliveTasksFollowTheTasksLives() throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(2).enableTime().build()) {
            RuntimeMetrics m = rt.metrics();
            assertEquals(2, m.workers());
            List<Oneshot.Sender<Integer>> gates = new ArrayList<>();
            List<JoinHandle<Integer>> waiting = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                Oneshot.Channel<Integer> ch = Oneshot.channel();
                gates.add(ch.sender());
                waiting.add(rt.spawn(ch.receiver()));
            }
            assertEquals(10, m.spawnedTasks());
            assertEquals(10, m.aliveTasks(), "tasks waiting on a channel are alive");
            for (int i = 0; i < 10; i++) {
                gates.get(i).send(i);
            }
            for (JoinHandle<Integer> h : waiting) {
                rt.blockOn(h);
            }
            assertEquals(0, m.aliveTasks(), "a joined task has completed");
            JoinHandle<Void> aborted = rt.spawn(Time.sleep(Duration.ofHours(1)).map(v -> null));
            aborted.abort();
            assertThrows(java.util.concurrent.CancellationException.class, () -> rt.blockOn(aborted));
            assertEquals(11, m.spawnedTasks());
            assertEquals(0, m.aliveTasks(), "an aborted task has completed too");
        }
    }

    @Test
    void workersCountPollsBusyTimeAndParks() throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(2).build()) {
            RuntimeMetrics m = rt.metrics();
            long parksBefore = sum(m, m::workerParks);
            List<JoinHandle<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                int n = i;
                tasks.add(rt.spawn(Async.yieldNow().map(v -> n)));
            }
            for (JoinHandle<Integer> t : tasks) {
                rt.blockOn(t);
            }
            // Each task was polled twice: once to yield, once to complete. A worker counts a poll
            // once it has returned, which may be just after the joiner saw the task complete.
            long polls = awaitAtLeast(() -> sum(m, m::workerPolls), 2_000);
            assertTrue(polls >= 2_000, "polls: " + polls);
            assertTrue(sum(m, i -> m.workerBusyTime(i).toNanos()) > 0);
            assertTrue(awaitAtLeast(() -> sum(m, m::workerParks), parksBefore + 1) > parksBefore,
                    "workers with nothing left to do park");
            assertThrows(IndexOutOfBoundsException.class, () -> m.workerPolls(2));
            assertThrows(IndexOutOfBoundsException.class, () -> m.workerBusyTime(-1));
        }
    }

    @Test
    void aFullWorkerQueueOverflowsIntoTheGlobalQueueAndIsCounted() throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(1).build()) {
            RuntimeMetrics m = rt.metrics();
            AtomicReference<long[]> seen = new AtomicReference<>();
            rt.blockOn(rt.spawn(Async.defer(() -> {
                for (int i = 0; i < 1_000; i++) {
                    Handle.current().spawn(Async.ready(i));
                }
                // Seen from inside the spawning task, before the worker can run any of them.
                seen.set(new long[] {m.workerLocalQueueDepth(0), m.globalQueueDepth(), m.workerOverflows(0)});
                return Async.ready(null);
            })));
            long[] s = seen.get();
            assertTrue(s[0] > 0 && s[0] <= 256, "local queue depth " + s[0]);
            assertTrue(s[1] > 0, "the overflow went to the global queue: " + s[1]);
            assertTrue(s[2] >= 1, "overflows " + s[2]);
            assertEquals(s[0] + s[1] + 1, 1_000 + 1, "every spawned task is queued somewhere (the LIFO slot holds the last)");
        }
    }

    @Test
    void anIdleWorkerStealsFromABusyOne() throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(2).build()) {
            RuntimeMetrics m = rt.metrics();
            for (int round = 0; round < 100 && sum(m, m::workerSteals) == 0; round++) {
                rt.blockOn(rt.spawn(Async.defer(() -> {
                    List<Async<Void>> children = new ArrayList<>();
                    for (int i = 0; i < 200; i++) {
                        children.add(Handle.current().spawn(Async.defer(() -> {
                            long until = System.nanoTime() + 20_000;
                            while (System.nanoTime() < until) {
                                Thread.onSpinWait();
                            }
                            return Async.<Void>ready(null);
                        })));
                    }
                    return Async.all(children);
                })));
            }
            assertTrue(sum(m, m::workerSteals) > 0, "no steal in 100 rounds of 200 busy tasks spawned on one worker");
        }
    }

    @Test
    void blockingPoolThreadsQueueAndIdleThreadsAreCounted() throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(1).maxBlockingThreads(1).build()) {
            RuntimeMetrics m = rt.metrics();
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            JoinHandle<Void> first = rt.spawnBlocking(() -> {
                running.countDown();
                release.await();
                return null;
            });
            running.await();
            JoinHandle<Void> second = rt.spawnBlocking(() -> null);
            assertEquals(1, m.blockingThreads());
            assertEquals(0, m.idleBlockingThreads());
            assertEquals(1, m.blockingQueueDepth(), "the second job waits for the pool's one thread");
            release.countDown();
            rt.blockOn(first);
            rt.blockOn(second);
            assertEquals(0, m.blockingQueueDepth());
            assertEquals(1, awaitAtLeast(m::idleBlockingThreads, 1), "the thread waits for more work");
        }
    }

    @Test
    void armedTimersAreCountedUntilTheyFireOrAreCancelled() throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(1).enableTime().build()) {
            RuntimeMetrics m = rt.metrics();
            assertEquals(0, m.timersArmed());
            JoinHandle<Void> sleeper = rt.spawn(Time.sleep(Duration.ofHours(1)).map(v -> null));
            assertEquals(1, awaitAtLeast(m::timersArmed, 1));
            sleeper.abort();
            assertThrows(java.util.concurrent.CancellationException.class, () -> rt.blockOn(sleeper));
            assertEquals(0, m.timersArmed(), "a cancelled sleep takes its timer out");
            assertEquals(0, m.ioRegistrations(), "a runtime without I/O reports none");
        }
        try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(1).build()) {
            assertEquals(0, rt.metrics().timersArmed(), "a runtime without timers reports none");
        }
    }

    @Test
    void aCurrentThreadRuntimeReportsItsCoreAsWorkerZero() throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().enableTime().build()) {
            RuntimeMetrics m = rt.metrics();
            assertEquals(1, m.workers());
            List<JoinHandle<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                tasks.add(rt.spawn(Async.ready(i)));
            }
            assertEquals(100, m.aliveTasks(), "nothing runs them until a thread is in blockOn");
            rt.blockOn(Time.sleep(Duration.ofMillis(5)));
            for (JoinHandle<Integer> t : tasks) {
                rt.blockOn(t);
            }
            assertEquals(0, m.aliveTasks());
            assertTrue(m.workerPolls(0) >= 100, "polls: " + m.workerPolls(0));
            assertTrue(m.workerParks(0) >= 1, "the 5 ms sleep parked the core in the driver");
            assertTrue(m.workerBusyTime(0).toNanos() > 0);
            assertEquals(0, m.workerSteals(0));
            assertEquals(0, m.workerOverflows(0));
            assertThrows(IndexOutOfBoundsException.class, () -> m.workerPolls(1));
        }
    }

    private static long histogramTotal(RuntimeMetrics m) {
        long total = 0;
        for (int i = 0; i < m.workers(); i++) {
            for (int b = 0; b < m.pollTimeHistogramBuckets(); b++) {
                total += m.workerPollTimeHistogramBucketCount(i, b);
            }
        }
        return total;
    }

    /** A task whose one poll spins for {@code nanos}: a poll of known length, with no sleep. */
    private static Async<Void> spinningFor(long nanos) {
        return Async.defer(() -> {
            long until = System.nanoTime() + nanos;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            return Async.<Void>ready(null);
        });
    }

    @Test
    void thePollTimeHistogramIsOffUnlessEnabled() throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(2).build()) {
            RuntimeMetrics m = rt.metrics();
            for (int i = 0; i < 100; i++) {
                rt.blockOn(rt.spawn(Async.ready(i)));
            }
            assertTrue(awaitAtLeast(() -> sum(m, m::workerPolls), 100) >= 100);
            assertEquals(false, m.pollTimeHistogramEnabled());
            assertEquals(20, m.pollTimeHistogramBuckets());
            assertEquals(0, histogramTotal(m), "an off histogram counts nothing");
        }
    }

    /**
     * Every poll is counted once, in the bucket of its length: the histogram's total matches the
     * polls, and a poll that spun for 3 ms lands in the bucket from 2.048 ms, on both flavours.
     */
    @Test
    void thePollTimeHistogramCountsEveryPollInTheBucketOfItsLength() throws Exception {
        for (KyotoRuntime.Builder builder : List.of(KyotoRuntime.builder().multiThread().workerThreads(2),
                KyotoRuntime.builder().currentThread())) {
            try (KyotoRuntime rt = builder.enablePollTimeHistogram().build()) {
                RuntimeMetrics m = rt.metrics();
                assertTrue(m.pollTimeHistogramEnabled());
                for (int i = 0; i < 200; i++) {
                    rt.blockOn(rt.spawn(Async.ready(i)));
                }
                rt.blockOn(rt.spawn(spinningFor(3_000_000)));
                long total = awaitAtLeast(() -> histogramTotal(m), 201);
                assertTrue(total >= 201, "histogram total " + total);
                // A worker times a poll, then counts it: wait for both to settle after the last one.
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (histogramTotal(m) != sum(m, m::workerPolls) && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                assertEquals(sum(m, m::workerPolls), histogramTotal(m), "one count per poll");
                int from2ms = 12;
                assertEquals(Duration.ofNanos(2_048_000), m.pollTimeHistogramBucketStart(from2ms));
                long slow = 0;
                for (int b = from2ms; b < m.pollTimeHistogramBuckets(); b++) {
                    int bucket = b;
                    slow += sum(m, i -> m.workerPollTimeHistogramBucketCount(i, bucket));
                }
                assertTrue(slow >= 1, "the 3 ms poll is counted from 2.048 ms up");
                long fast = sum(m, i -> m.workerPollTimeHistogramBucketCount(i, 0) + m.workerPollTimeHistogramBucketCount(i, 1)
                        + m.workerPollTimeHistogramBucketCount(i, 2) + m.workerPollTimeHistogramBucketCount(i, 3));
                assertTrue(fast >= 100, "most of 200 polls of a ready value take under 8 µs: " + fast);
                assertThrows(IndexOutOfBoundsException.class, () -> m.workerPollTimeHistogramBucketCount(0, 20));
                assertThrows(IndexOutOfBoundsException.class, () -> m.pollTimeHistogramBucketStart(-1));
            }
        }
    }

    @Test
    void readersOnOtherThreadsSeeCountersOnlyGrowWhileTheRuntimeWorks() throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(2).build()) {
            RuntimeMetrics m = rt.metrics();
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<String> broken = new AtomicReference<>();
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(Thread.ofPlatform().start(() -> {
                    long polls = 0;
                    long parks = 0;
                    long spawned = 0;
                    while (!done.get()) {
                        long p = m.workerPolls(0) + m.workerPolls(1);
                        long k = m.workerParks(0) + m.workerParks(1);
                        long s = m.spawnedTasks();
                        long b = m.workerBusyTime(0).toNanos();
                        if (p < polls || k < parks || s < spawned || m.aliveTasks() < 0 || m.globalQueueDepth() < 0) {
                            broken.compareAndSet(null, "went back: polls " + polls + "→" + p + ", parks " + parks + "→" + k
                                    + ", spawned " + spawned + "→" + s);
                        }
                        if (b < 0) {
                            broken.compareAndSet(null, "negative busy time " + b);
                        }
                        polls = p;
                        parks = k;
                        spawned = s;
                    }
                }));
            }
            for (int round = 0; round < 200; round++) {
                List<JoinHandle<Integer>> tasks = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    int n = i;
                    tasks.add(rt.spawn(Async.yieldNow().map(v -> n)));
                }
                for (JoinHandle<Integer> t : tasks) {
                    rt.blockOn(t);
                }
            }
            done.set(true);
            for (Thread t : readers) {
                t.join();
            }
            assertEquals(null, broken.get());
            assertEquals(20_000, m.spawnedTasks());
            assertEquals(0, m.aliveTasks());
        }
    }
}
