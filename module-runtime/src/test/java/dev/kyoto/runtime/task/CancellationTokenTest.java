package dev.kyoto.runtime.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.sync.Probe;
import dev.kyoto.runtime.time.Time;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CancellationTokenTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void aNewTokenIsNotCancelledAndCancelIsIdempotent() {
        CancellationToken token = new CancellationToken();
        assertFalse(token.isCancelled());
        assertEquals("CancellationToken[active]", token.toString());
        token.cancel();
        token.cancel();
        assertTrue(token.isCancelled());
        assertEquals("CancellationToken[cancelled]", token.toString());
    }

    @Test
    void cancelledIsPendingUntilCancelThenWokenOnceAndReady() throws Exception {
        CancellationToken token = new CancellationToken();
        Probe<Void> wait = Probe.of(token.cancelled()).pending().pending();
        assertEquals(1, token.waiterCount(), "polling twice with the same waker links the wait once");
        token.cancel();
        assertEquals(1, wait.wakes());
        assertEquals(0, token.waiterCount());
        wait.ready();
        wait.ready();
        token.cancel();
        assertEquals(1, wait.wakes(), "a second cancel wakes nobody");
    }

    @Test
    void cancelledIsReadyAtOnceWhenTheTokenAlreadyIs() throws Exception {
        CancellationToken token = new CancellationToken();
        Async<Void> madeBefore = token.cancelled();
        token.cancel();
        Probe.of(token.cancelled()).ready();
        Probe.of(madeBefore).ready();
        assertEquals(0, token.waiterCount());
    }

    @Test
    void aWaitPolledWithANewWakerWakesTheNewOne() throws Exception {
        CancellationToken token = new CancellationToken();
        Async<Void> wait = token.cancelled();
        AtomicInteger first = new AtomicInteger();
        AtomicInteger second = new AtomicInteger();
        assertTrue(wait.poll(new Context(first::incrementAndGet)).isPending());
        assertTrue(wait.poll(new Context(second::incrementAndGet)).isPending());
        assertEquals(1, token.waiterCount());
        token.cancel();
        assertEquals(0, first.get());
        assertEquals(1, second.get());
    }

    @Test
    void cancellingAPendingWaitRemovesItsWaiter() throws Exception {
        CancellationToken token = new CancellationToken();
        List<Probe<Void>> waits = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            waits.add(Probe.of(token.cancelled()).pending());
        }
        assertEquals(5, token.waiterCount());
        // Middle, head and tail of the list.
        waits.get(2).cancel();
        waits.get(4).cancel();
        waits.get(0).cancel();
        assertEquals(2, token.waiterCount());
        Probe.of(token.cancelled()).cancel();
        assertEquals(2, token.waiterCount(), "cancelling a wait that never polled changes nothing");
        token.cancel();
        assertEquals(0, token.waiterCount());
        assertEquals(List.of(0, 1, 0, 1, 0), waits.stream().map(Probe::wakes).toList(), "only the waits still linked are woken");
        waits.get(1).ready();
        waits.get(3).cancel();
    }

    @Test
    void aWaitThatLosesARaceAgainstATimeoutLeavesNoWaiter() {
        CancellationToken token = new CancellationToken();
        try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().enableTime().build()) {
            assertThrows(TimeoutException.class, () -> rt.blockOn(Time.timeout(Duration.ofMillis(1), token.cancelled())));
            assertEquals(0, token.waiterCount());
        }
    }

    @Test
    void cancellingAParentCancelsItsWholeSubtree() throws Exception {
        CancellationToken root = new CancellationToken();
        CancellationToken a = root.child();
        CancellationToken b = root.child();
        CancellationToken a1 = a.child();
        CancellationToken a11 = a1.child();
        Probe<Void> waitA11 = Probe.of(a11.cancelled()).pending();
        Probe<Void> waitB = Probe.of(b.cancelled()).pending();
        root.cancel();
        for (CancellationToken t : List.of(root, a, b, a1, a11)) {
            assertTrue(t.isCancelled(), t + " is not cancelled");
        }
        assertEquals(1, waitA11.wakes());
        assertEquals(1, waitB.wakes());
        assertEquals(0, root.retainedChildren());
        assertEquals(0, a.retainedChildren());
    }

    @Test
    void cancellingAChildTouchesNeitherItsParentNorItsSiblings() throws Exception {
        CancellationToken root = new CancellationToken();
        CancellationToken a = root.child();
        CancellationToken b = root.child();
        CancellationToken a1 = a.child();
        Probe<Void> rootWait = Probe.of(root.cancelled()).pending();
        a.cancel();
        assertTrue(a.isCancelled());
        assertTrue(a1.isCancelled());
        assertFalse(root.isCancelled());
        assertFalse(b.isCancelled());
        assertEquals(0, rootWait.wakes());
        assertEquals(1, root.retainedChildren(), "a cancelled child leaves its parent's list at once");
        root.cancel();
        assertTrue(b.isCancelled());
    }

    @Test
    void aChildOfACancelledTokenStartsCancelled() throws Exception {
        CancellationToken root = new CancellationToken();
        root.cancel();
        CancellationToken child = root.child();
        assertTrue(child.isCancelled());
        Probe.of(child.cancelled()).ready();
        assertTrue(child.child().isCancelled());
        assertEquals(0, root.retainedChildren());
        child.cancel();
    }

    @Test
    void aDeepChainIsCancelledWithoutRecursion() {
        CancellationToken root = new CancellationToken();
        CancellationToken leaf = root;
        for (int i = 0; i < 200_000; i++) {
            leaf = leaf.child();
        }
        root.cancel();
        assertTrue(leaf.isCancelled());
    }

    @Test
    void aWakerThatThrowsKeepsNeitherTheOtherWaitersNorTheSubtreeAsleep() throws Exception {
        CancellationToken root = new CancellationToken();
        CancellationToken child = root.child();
        Async<Void> throwing = root.cancelled();
        assertTrue(throwing.poll(new Context(() -> {
            throw new IllegalStateException("waker failed");
        })).isPending());
        Probe<Void> other = Probe.of(root.cancelled()).pending();
        Probe<Void> inChild = Probe.of(child.cancelled()).pending();
        IllegalStateException thrown = assertThrows(IllegalStateException.class, root::cancel);
        assertEquals("waker failed", thrown.getMessage());
        assertEquals(1, other.wakes());
        assertEquals(1, inChild.wakes());
        assertTrue(child.isCancelled());
    }

    /** 1,000,000 per-connection children that end by cancelling themselves: the parent keeps none. */
    @Test
    void childrenThatAreCancelledLeaveTheParent() {
        CancellationToken server = new CancellationToken();
        for (int i = 0; i < 1_000_000; i++) {
            server.child().cancel();
        }
        assertEquals(0, server.retainedChildren());
    }

    /**
     * 1,000,000 per-connection children that are simply dropped: the parent holds them weakly and
     * sweeps the cleared ones when its list is full, so it keeps a few times what was reachable
     * between two collections, not everything it ever made.
     */
    @Test
    void childrenThatAreDroppedDoNotAccumulateInTheParent() {
        int collectEvery = 50_000;
        CancellationToken server = new CancellationToken();
        CancellationToken kept = server.child();
        int peak = 0;
        for (int i = 1; i <= 1_000_000; i++) {
            server.child();
            peak = Math.max(peak, server.retainedChildren());
            if (i % collectEvery == 0) {
                collectGarbage();
            }
        }
        assertTrue(peak <= 4 * collectEvery, "the parent held " + peak + " children at its peak");
        System.out.printf("CancellationToken: 1,000,000 dropped children, a collection every %d: at most %d held%n",
                collectEvery, peak);
        server.cancel();
        assertTrue(kept.isCancelled(), "a child still reachable was dropped");
    }

    /** A child held only by its own child is still reachable, and still cancelled with the tree. */
    @Test
    void aChildReachableOnlyThroughItsDescendantIsStillCancelled() {
        CancellationToken root = new CancellationToken();
        CancellationToken leaf = root.child().child();
        collectGarbage();
        root.cancel();
        assertTrue(leaf.isCancelled());
    }

    /** A child nobody holds but the task waiting on it is cancelled with its parent. */
    @ParameterizedTest
    @MethodSource("dev.kyoto.runtime.task.Flavours#both")
    void aChildHeldOnlyByAWaitingTaskIsStillCancelled(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            try (KyotoRuntime rt = flavour.get()) {
                CancellationToken root = new CancellationToken();
                JoinHandle<Void> waiting = rt.spawn(root.child().cancelled());
                rt.blockOn(Async.yieldNow());
                collectGarbage();
                root.cancel();
                rt.blockOn(waiting);
            }
        });
    }

    /** A plain thread cancels a tree while tasks on both flavours wait on tokens across it. */
    @ParameterizedTest
    @MethodSource("dev.kyoto.runtime.task.Flavours#both")
    void aCancelFromAPlainThreadWakesTasksWaitingAnywhereInTheTree(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            try (KyotoRuntime rt = flavour.get()) {
                CancellationToken root = new CancellationToken();
                List<CancellationToken> tokens = List.of(root, root.child(), root.child().child());
                List<JoinHandle<Void>> waiting = new ArrayList<>();
                for (int i = 0; i < 30; i++) {
                    waiting.add(rt.spawn(tokens.get(i % 3).cancelled()));
                }
                Thread canceller = Thread.ofPlatform().start(() -> {
                    awaitWaiters(tokens, 30);
                    root.cancel();
                });
                for (JoinHandle<Void> h : waiting) {
                    rt.blockOn(h);
                }
                canceller.join();
                for (CancellationToken t : tokens) {
                    assertEquals(0, t.waiterCount());
                }
            }
        });
    }

    /** blockOn(cancelled()) on one thread, cancel() on another. */
    @ParameterizedTest
    @MethodSource("dev.kyoto.runtime.task.Flavours#both")
    void blockOnCancelledFromAnotherThreadReturnsOnCancel(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            try (KyotoRuntime rt = flavour.get()) {
                CancellationToken token = new CancellationToken();
                CancellationToken child = token.child();
                CompletableFuture<Void> parentWait = new CompletableFuture<>();
                CompletableFuture<Void> childWait = new CompletableFuture<>();
                Thread a = Thread.ofPlatform().start(() -> blockOn(rt, token.cancelled(), parentWait));
                Thread b = Thread.ofPlatform().start(() -> blockOn(rt, child.cancelled(), childWait));
                awaitWaiters(List.of(token, child), 2);
                assertFalse(parentWait.isDone());
                token.cancel();
                parentWait.join();
                childWait.join();
                a.join();
                b.join();
            }
        });
    }

    private static void blockOn(KyotoRuntime rt, Async<Void> wait, CompletableFuture<Void> done) {
        try {
            rt.blockOn(wait);
            done.complete(null);
        } catch (Throwable t) {
            done.completeExceptionally(t);
        }
    }

    /**
     * Waits until {@code count} waits are linked across {@code tokens}: the event a test must see
     * before cancelling if the cancel is to find them pending. Bounded by the test's hang detector.
     */
    static void awaitWaiters(List<CancellationToken> tokens, int count) {
        while (tokens.stream().mapToInt(CancellationToken::waiterCount).sum() < count) {
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /** Returns once a collection has cleared an object only weakly reachable since this call began. */
    static void collectGarbage() {
        WeakReference<Object> sentinel = new WeakReference<>(new Object());
        for (int i = 0; !sentinel.refersTo(null); i++) {
            assertTrue(i < 1_000, "System.gc() collected nothing in 1000 calls (is -XX:+DisableExplicitGC set?)");
            System.gc();
        }
    }

    @Test
    void cancelledReturnsASharedReadyComputationOnceCancelled() {
        CancellationToken token = new CancellationToken();
        token.cancel();
        assertSame(token.cancelled(), token.cancelled(), "a cancelled token allocates no wait");
    }
}
