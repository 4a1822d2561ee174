package dev.kyoto.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.sync.Semaphore;
import dev.kyoto.runtime.time.Time;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code Async.using}: the resource is closed exactly once however the computation ends, by hand
 * and in real tasks that are aborted, time out or lose a race mid-wait.
 */
class UsingTest {
    private static final Context CX = new Context(Waker.noop());

    /** A resource that counts its closes, notes them in a shared event list, and can fail to close. */
    static final class Resource implements AutoCloseable {
        final AtomicInteger closes = new AtomicInteger();
        private final List<String> events;
        private final Exception closeFailure;

        Resource(List<String> events, Exception closeFailure) {
            this.events = events;
            this.closeFailure = closeFailure;
        }

        Resource() {
            this(new CopyOnWriteArrayList<>(), null);
        }

        @Override
        public void close() throws Exception {
            closes.incrementAndGet();
            events.add("close");
            if (closeFailure != null) {
                throw closeFailure;
            }
        }
    }

    @Test
    void theResourceIsClosedOnceWhenTheBodyCompletesBeforeTheValueIsReturned() throws Exception {
        Resource r = new Resource();
        Stub<String> inner = new Stub<>();
        AtomicInteger applied = new AtomicInteger();
        Async<String> a = Async.using(r, res -> {
            assertSame(r, res);
            applied.incrementAndGet();
            return inner;
        });
        assertEquals(0, applied.get(), "the body is applied at the first poll");
        assertTrue(a.poll(CX).isPending());
        assertTrue(a.poll(CX).isPending());
        assertEquals(1, applied.get());
        assertEquals(0, r.closes.get(), "not while the body runs");
        inner.complete("v");
        assertEquals("v", a.poll(CX).value());
        assertEquals(1, r.closes.get());
    }

    @Test
    void theResourceIsClosedOnceWhenTheBodyFails() {
        Resource r = new Resource();
        IOException boom = new IOException("boom");
        Async<String> a = Async.using(r, res -> Async.failed(boom));
        assertSame(boom, assertThrows(IOException.class, () -> a.poll(CX)));
        assertEquals(1, r.closes.get());
    }

    @Test
    void theResourceIsClosedOnceWhenTheBodyFunctionThrows() {
        Resource r = new Resource();
        IOException boom = new IOException("body threw");
        Async<String> a = Async.using(r, res -> {
            throw boom;
        });
        assertSame(boom, assertThrows(IOException.class, () -> a.poll(CX)));
        assertEquals(1, r.closes.get());
    }

    @Test
    void aBodyFunctionReturningNullFailsAndStillCloses() {
        Resource r = new Resource();
        Async<String> a = Async.using(r, res -> null);
        NullPointerException e = assertThrows(NullPointerException.class, () -> a.poll(CX));
        assertTrue(e.getMessage().contains("Async.using"), e.getMessage());
        assertEquals(1, r.closes.get());
    }

    @Test
    void cancellingBeforeTheFirstPollClosesWithoutApplyingTheBody() {
        Resource r = new Resource();
        AtomicInteger applied = new AtomicInteger();
        Async<String> a = Async.using(r, res -> {
            applied.incrementAndGet();
            return Async.ready("v");
        });
        a.cancel();
        assertEquals(0, applied.get());
        assertEquals(1, r.closes.get());
    }

    @Test
    void cancellingMidWaitCancelsTheBodyThenClosesOnce() throws Exception {
        List<String> events = new ArrayList<>();
        Resource r = new Resource(events, null);
        Stub<String> inner = new Stub<>("body", events);
        Async<String> a = Async.using(r, res -> inner);
        assertTrue(a.poll(CX).isPending());
        a.cancel();
        a.cancel();
        assertEquals(List.of("cancel body", "close"), events);
    }

    @Test
    void aCloseFailureIsSuppressedOntoTheBodysFailure() {
        IOException closeFailed = new IOException("close failed");
        Resource r = new Resource(new ArrayList<>(), closeFailed);
        IOException boom = new IOException("boom");
        Async<String> a = Async.using(r, res -> Async.failed(boom));
        assertSame(boom, assertThrows(IOException.class, () -> a.poll(CX)));
        assertArrayEquals(new Throwable[] {closeFailed}, boom.getSuppressed());
    }

    @Test
    void aCloseFailureIsSuppressedOntoTheBodyFunctionsFailure() {
        IOException closeFailed = new IOException("close failed");
        Resource r = new Resource(new ArrayList<>(), closeFailed);
        IllegalStateException boom = new IllegalStateException("body threw");
        Async<String> a = Async.using(r, res -> {
            throw boom;
        });
        assertSame(boom, assertThrows(IllegalStateException.class, () -> a.poll(CX)));
        assertArrayEquals(new Throwable[] {closeFailed}, boom.getSuppressed());
    }

    @Test
    void aCloseFailureAfterSuccessFailsTheComputation() {
        IOException closeFailed = new IOException("close failed");
        Resource r = new Resource(new ArrayList<>(), closeFailed);
        Async<String> a = Async.using(r, res -> Async.ready("v"));
        assertSame(closeFailed, assertThrows(IOException.class, () -> a.poll(CX)));
        assertEquals(1, r.closes.get());
    }

    @Test
    void aCloseFailureInsideCancelIsSwallowed() throws Exception {
        Resource r = new Resource(new ArrayList<>(), new Stackless("a close failing during cancel, on purpose"));
        Async<String> a = Async.using(r, res -> new Stub<>());
        assertTrue(a.poll(CX).isPending());
        a.cancel();
        assertEquals(1, r.closes.get());
    }

    @Test
    void aNullResourceIsGivenToTheBodyAndNeverClosed() throws Exception {
        AtomicInteger applied = new AtomicInteger();
        Async<String> a = Async.using((AutoCloseable) null, res -> {
            assertNull(res);
            applied.incrementAndGet();
            return Async.ready("v");
        });
        assertEquals("v", a.poll(CX).value());
        assertEquals(1, applied.get());
        Async.using((AutoCloseable) null, res -> new Stub<String>()).cancel();
    }

    static Stream<Named<Supplier<KyotoRuntime>>> flavours() {
        return Stream.of(
                Named.of("current-thread", () -> KyotoRuntime.builder().currentThread().enableTime().build()),
                Named.of("multi-thread", () -> KyotoRuntime.builder().multiThread().workerThreads(2).enableTime().build()));
    }

    /** How a real task stops waiting: what wraps the waiting {@code using}, and what joining the task then gives. */
    enum Ending {
        ABORT(a -> a),
        TIMEOUT(a -> Time.timeout(Duration.ofMillis(20), a)),
        LOST_RACE(a -> Async.race(a, Time.sleep(Duration.ofMillis(20)).map(v -> null)));

        final Function<Async<Semaphore.Permit>, Async<Semaphore.Permit>> wrap;

        Ending(Function<Async<Semaphore.Permit>, Async<Semaphore.Permit>> wrap) {
            this.wrap = wrap;
        }
    }

    static Stream<Arguments> flavoursAndEndings() {
        return flavours().flatMap(f -> Stream.of(Ending.values()).map(e -> Arguments.of(f, e)));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("flavoursAndEndings")
    void aTaskStoppedMidWaitClosesTheResourceOnceAndLeavesNoWaiter(Supplier<KyotoRuntime> flavour, Ending ending) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = flavour.get()) {
                Semaphore none = new Semaphore(0);
                Semaphore bodyRan = new Semaphore(0);
                Resource r = new Resource();
                JoinHandle<Semaphore.Permit> task = rt.spawn(ending.wrap.apply(Async.using(r, res -> {
                    bodyRan.addPermits(1);
                    return none.acquire();
                })));
                rt.blockOn(bodyRan.acquire()).close();
                switch (ending) {
                    case ABORT -> {
                        task.abort();
                        assertThrows(CancellationException.class, () -> rt.blockOn(task));
                    }
                    case TIMEOUT -> assertInstanceOf(TimeoutException.class, assertThrows(Exception.class, () -> rt.blockOn(task)));
                    case LOST_RACE -> assertNull(rt.blockOn(task), "the timer won");
                }
                assertEquals(1, r.closes.get(), "closed exactly once");
                none.addPermits(1);
                assertEquals(1, none.availablePermits(), "the cancelled acquire left the semaphore's queue");
            }
        });
    }
}
