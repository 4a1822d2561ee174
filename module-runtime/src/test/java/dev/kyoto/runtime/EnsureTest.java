package dev.kyoto.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.sync.Semaphore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code ensure}: the action runs exactly once on each of the three endings, with try-with-resources' failures. */
class EnsureTest {
    private static final Context CX = new Context(Waker.noop());

    @Test
    void theActionRunsOnceWhenTheComputationCompletesAndNotWhileItIsPending() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        Stub<String> inner = new Stub<>();
        Async<String> a = inner.ensure(runs::incrementAndGet);
        assertTrue(a.poll(CX).isPending());
        assertTrue(a.poll(CX).isPending());
        assertEquals(0, runs.get(), "not while pending");
        inner.complete("v");
        assertEquals("v", a.poll(CX).value());
        assertEquals(1, runs.get());
    }

    @Test
    void theActionRunsOnceWhenTheComputationFailsAndTheFailureIsThrownUnchanged() {
        AtomicInteger runs = new AtomicInteger();
        IOException boom = new IOException("boom");
        Async<String> a = Async.<String>failed(boom).ensure(runs::incrementAndGet);
        assertSame(boom, assertThrows(IOException.class, () -> a.poll(CX)));
        assertEquals(1, runs.get());
        assertEquals(0, boom.getSuppressed().length);
    }

    @Test
    void cancellingRunsTheInnerCancelThenTheActionOnce() throws Exception {
        List<String> events = new ArrayList<>();
        Stub<String> inner = new Stub<>("inner", events);
        Async<String> a = inner.ensure(() -> events.add("action"));
        assertTrue(a.poll(CX).isPending());
        a.cancel();
        assertEquals(List.of("cancel inner", "action"), events);
    }

    @Test
    void cancellingBeforeTheFirstPollStillRunsTheAction() {
        List<String> events = new ArrayList<>();
        Stub<String> inner = new Stub<>("inner", events);
        inner.ensure(() -> events.add("action")).cancel();
        assertEquals(List.of("cancel inner", "action"), events);
        assertEquals(0, inner.polls());
    }

    @Test
    void anActionFailingAfterAFailureIsSuppressedOntoItInTheOrderTheActionsRan() {
        IOException original = new IOException("original");
        IllegalStateException inner = new IllegalStateException("inner action");
        IOException outer = new IOException("outer action");
        Async<String> a = Async.<String>failed(original)
                .ensure(() -> {
                    throw inner;
                })
                .ensure(() -> {
                    throw outer;
                });
        assertSame(original, assertThrows(IOException.class, () -> a.poll(CX)));
        assertArrayEquals(new Throwable[] {inner, outer}, original.getSuppressed());
    }

    @Test
    void anActionFailingAfterSuccessFailsTheComputation() {
        IOException closeFailed = new IOException("close failed");
        Async<String> a = Async.ready("v").ensure(() -> {
            throw closeFailed;
        });
        assertSame(closeFailed, assertThrows(IOException.class, () -> a.poll(CX)));
    }

    @Test
    void anActionFailingInsideCancelIsSwallowedAndRunsOnce() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        Stub<String> inner = new Stub<>();
        Async<String> a = inner.ensure(() -> {
            runs.incrementAndGet();
            throw new Stackless("an ensure action failing during cancel, on purpose");
        });
        assertTrue(a.poll(CX).isPending());
        a.cancel();
        a.cancel();
        assertEquals(1, runs.get());
        assertEquals(1, inner.cancels());
    }

    @Test
    void anActionThatThrowsTheVeryFailureIsNotSuppressedOntoItself() {
        IOException same = new IOException("same");
        Async<String> a = Async.<String>failed(same).ensure(() -> {
            throw same;
        });
        assertSame(same, assertThrows(IOException.class, () -> a.poll(CX)));
        assertEquals(0, same.getSuppressed().length);
    }

    static Stream<Named<Supplier<KyotoRuntime>>> flavours() {
        return Flavours.both();
    }

    @ParameterizedTest
    @MethodSource("flavours")
    void abortingTheTaskMidWaitRunsTheActionOnceAndReleasesTheWait(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = flavour.get()) {
                Semaphore none = new Semaphore(0);
                List<String> events = new CopyOnWriteArrayList<>();
                Semaphore started = new Semaphore(0);
                JoinHandle<Semaphore.Permit> task = rt.spawn(Async.defer(() -> {
                    started.addPermits(1);
                    return none.acquire();
                }).ensure(() -> events.add("action")));
                rt.blockOn(started.acquire()).close();
                task.abort();
                assertThrows(CancellationException.class, () -> rt.blockOn(task));
                assertEquals(List.of("action"), events);
                none.addPermits(1);
                assertEquals(1, none.availablePermits(), "the aborted acquire left the queue");
            }
        });
    }
}
