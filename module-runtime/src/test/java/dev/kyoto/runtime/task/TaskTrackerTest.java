package dev.kyoto.runtime.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.sync.Probe;
import dev.kyoto.runtime.time.Time;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TaskTrackerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** A computation that stays pending until {@code release} is cancelled, and counts its cancels. */
    private static final class Held implements Async<String> {
        final AtomicInteger cancels = new AtomicInteger();
        private final Async<Void> release;

        Held(CancellationToken release) {
            this.release = release.cancelled();
        }

        @Override
        public Poll<String> poll(Context cx) throws Exception {
            return release.poll(cx).isReady() ? Poll.ready("done") : Poll.pending();
        }

        @Override
        public void cancel() {
            cancels.incrementAndGet();
            release.cancel();
        }
    }

    @Test
    void aNewTrackerIsOpenAndEmptyAndDrainsOnlyOnceClosed() throws Exception {
        TaskTracker tracker = new TaskTracker();
        assertFalse(tracker.isClosed());
        assertEquals(0, tracker.size());
        assertEquals("TaskTracker[open, 0 tasks]", tracker.toString());
        Probe<Void> drained = Probe.of(tracker.drained()).pending();
        tracker.close();
        tracker.close();
        assertTrue(tracker.isClosed());
        assertEquals(1, drained.wakes());
        drained.ready();
        Probe.of(tracker.drained()).ready();
        assertEquals("TaskTracker[closed, 0 tasks]", tracker.toString());
    }

    @Test
    void aComputationIsCountedFromTrackUntilItsValue() throws Exception {
        TaskTracker tracker = new TaskTracker();
        CancellationToken release = new CancellationToken();
        Probe<String> tracked = Probe.of(tracker.track(new Held(release)));
        assertEquals(1, tracker.size(), "counted from the call, before any poll");
        tracked.pending();
        tracker.close();
        Probe<Void> drained = Probe.of(tracker.drained()).pending();
        assertEquals("TaskTracker[closed, 1 task]", tracker.toString());
        release.cancel();
        assertEquals("done", tracked.ready());
        assertEquals(0, tracker.size());
        assertEquals(1, drained.wakes());
        drained.ready();
    }

    @Test
    void aComputationIsCountedUntilItFails() {
        TaskTracker tracker = new TaskTracker();
        Async<Object> failing = tracker.track(Async.failed(new IOException("connection reset")));
        tracker.close();
        assertEquals(1, tracker.size());
        IOException thrown = assertThrows(IOException.class, () -> Probe.of(failing).poll());
        assertEquals("connection reset", thrown.getMessage(), "the failure passes unchanged");
        assertEquals(0, tracker.size());
        assertDrained(tracker);
    }

    @Test
    void aComputationIsCountedUntilItIsCancelledAndTheCancelReachesIt() throws Exception {
        TaskTracker tracker = new TaskTracker();
        Held held = new Held(new CancellationToken());
        Probe<String> tracked = Probe.of(tracker.track(held)).pending();
        tracker.close();
        tracked.cancel();
        tracked.cancel();
        assertEquals(1, held.cancels.get());
        assertEquals(0, tracker.size());
        assertDrained(tracker);
    }

    @Test
    void aComputationNeverPolledNorCancelledStaysCounted() throws Exception {
        TaskTracker tracker = new TaskTracker();
        tracker.track(Async.ready("never polled"));
        tracker.close();
        assertEquals(1, tracker.size());
        Probe.of(tracker.drained()).pending();
    }

    @Test
    void trackAndSpawnAfterCloseAreRefusedWithAMessageThatSaysWhatToDo() {
        TaskTracker tracker = new TaskTracker();
        tracker.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> tracker.track(Async.ready(1)));
        assertEquals("this TaskTracker is closed and takes no more tasks: track or spawn every task before calling close(), "
                + "or use a new TaskTracker", e.getMessage());
        try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().build()) {
            assertThrows(IllegalStateException.class, () -> rt.blockOn(Async.ready(null).then(v -> {
                tracker.spawn(Async.ready(1));
                return Async.ready(null);
            })));
        }
        assertEquals(0, tracker.size(), "a refused task is not counted");
    }

    @Test
    void spawnWithoutARuntimeSaysSoAndCountsNothing() {
        TaskTracker tracker = new TaskTracker();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> tracker.spawn(Async.ready(1)));
        assertTrue(e.getMessage().contains("no Kyoto runtime"), e.getMessage());
        assertEquals(0, tracker.size());
    }

    /** Tasks that finish, fail and are aborted: the tracker drains when the last of them ends. */
    @ParameterizedTest
    @MethodSource("dev.kyoto.runtime.task.Flavours#both")
    void drainedWaitsForTasksThatFinishFailOrAreAborted(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            try (KyotoRuntime rt = flavour.get()) {
                TaskTracker tracker = new TaskTracker();
                CancellationToken release = new CancellationToken();
                Held finishing = new Held(release);
                Held aborted = new Held(new CancellationToken());
                JoinHandle<String> finished = rt.blockOn(spawnVia(tracker, finishing));
                JoinHandle<String> abortedHandle = rt.blockOn(spawnVia(tracker, aborted));
                JoinHandle<String> failed = rt.blockOn(spawnVia(tracker, release.cancelled().then(v -> {
                    throw new IOException("failed after release");
                })));
                assertEquals(3, tracker.size());
                tracker.close();
                rt.blockOn(Async.yieldNow());
                assertEquals(3, tracker.size(), "no task has ended yet");

                abortedHandle.abort();
                assertThrows(CancellationException.class, () -> rt.blockOn(abortedHandle));
                assertEquals(1, aborted.cancels.get());
                assertEquals(2, tracker.size());
                assertFalse(tracker.drained().poll(new Context(() -> { })).isReady());

                release.cancel();
                rt.blockOn(tracker.drained());
                assertEquals(0, tracker.size());
                assertEquals("done", rt.blockOn(finished));
                assertEquals("failed after release", assertThrows(IOException.class, () -> rt.blockOn(failed)).getMessage());
            }
        });
    }

    /** A task the runtime's shutdown cancels ends its count too, and so does one spawned after shutdown. */
    @ParameterizedTest
    @MethodSource("dev.kyoto.runtime.task.Flavours#both")
    void runtimeShutdownEndsTheCountOfItsTasks(Supplier<KyotoRuntime> flavour) throws Exception {
        TaskTracker tracker = new TaskTracker();
        Held held = new Held(new CancellationToken());
        KyotoRuntime rt = flavour.get();
        JoinHandle<String> pending = rt.blockOn(spawnVia(tracker, held));
        rt.blockOn(Async.yieldNow());
        var handle = rt.handle();
        rt.close();
        assertEquals(1, held.cancels.get());
        assertEquals(0, tracker.size());
        assertTrue(pending.isFinished());

        Held late = new Held(new CancellationToken());
        try (var entered = handle.enter()) {
            JoinHandle<String> refused = tracker.spawn(late);
            assertTrue(refused.isFinished(), "a runtime that is shut down refuses the task");
        }
        assertEquals(1, late.cancels.get());
        assertEquals(0, tracker.size());
        tracker.close();
        assertDrained(tracker);
    }

    /** A thread outside the runtime blocks on drained() while the tasks end on the runtime. */
    @ParameterizedTest
    @MethodSource("dev.kyoto.runtime.task.Flavours#both")
    void blockOnDrainedFromAForeignThread(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            try (KyotoRuntime rt = flavour.get(); KyotoRuntime other = KyotoRuntime.builder().currentThread().build()) {
                TaskTracker tracker = new TaskTracker();
                CancellationToken release = new CancellationToken();
                for (int i = 0; i < 10; i++) {
                    rt.blockOn(spawnVia(tracker, new Held(release)));
                }
                tracker.close();
                CompletableFuture<Integer> sizeWhenDrained = new CompletableFuture<>();
                Thread waiter = Thread.ofPlatform().start(() -> {
                    try {
                        other.blockOn(tracker.drained());
                        sizeWhenDrained.complete(tracker.size());
                    } catch (Throwable t) {
                        sizeWhenDrained.completeExceptionally(t);
                    }
                });
                CancellationTokenTest.awaitWaiters(java.util.List.of(tracker.drainSignal()), 1);
                assertFalse(sizeWhenDrained.isDone());
                // The tasks end on rt, woken from this thread; the waiter is on another runtime.
                release.cancel();
                rt.blockOn(Async.yieldNow());
                assertEquals(0, sizeWhenDrained.join());
                waiter.join();
            }
        });
    }

    /** A drained() that loses a race against a timeout leaves no waiter in the tracker. */
    @Test
    void aDrainedWaitThatTimesOutLeavesNoWaiter() throws Exception {
        TaskTracker tracker = new TaskTracker();
        Probe.of(tracker.drained()).pending().cancel();
        assertEquals(0, tracker.drainSignal().waiterCount());
        try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().enableTime().build()) {
            rt.blockOn(spawnVia(tracker, new Held(new CancellationToken())));
            tracker.close();
            assertThrows(TimeoutException.class, () -> rt.blockOn(Time.timeout(Duration.ofMillis(1), tracker.drained())));
            assertEquals(0, tracker.drainSignal().waiterCount());
            assertEquals(1, tracker.size());
        }
    }

    @Test
    void aNamedSpawnCarriesItsNameAndIsCountedUntilItEnds() throws Exception {
        TaskTracker tracker = new TaskTracker();
        CancellationToken release = new CancellationToken();
        try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().build()) {
            JoinHandle<String> h = rt.blockOn(Async.ready(null).map(v -> tracker.spawn("conn-1", new Held(release))));
            assertEquals("conn-1", h.name());
            assertEquals(1, tracker.size());
            release.cancel();
            assertEquals("done", rt.blockOn(h));
            assertEquals(0, tracker.size());
        }
    }

    /** {@code tracker.spawn(computation)} from inside the runtime, where {@code Handle.current()} finds it. */
    private static <T> Async<JoinHandle<T>> spawnVia(TaskTracker tracker, Async<T> computation) {
        return Async.ready(null).map(v -> tracker.spawn(computation));
    }

    private static void assertDrained(TaskTracker tracker) {
        assertTrue(assertTimeoutPreemptively(TIMEOUT, () -> tracker.drained().poll(new Context(() -> { })).isReady()),
                "the tracker is closed and empty, but drained() is pending");
    }
}
