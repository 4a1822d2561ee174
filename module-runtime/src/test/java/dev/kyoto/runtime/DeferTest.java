package dev.kyoto.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code Async.defer}: the body runs at the first poll, inside the runtime, and only if the computation runs. */
class DeferTest {
    private static final Context CX = new Context(Waker.noop());

    @Test
    void theBodyRunsOnceAtTheFirstPoll() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Stub<String> inner = new Stub<>();
        Async<String> a = Async.defer(() -> {
            calls.incrementAndGet();
            return inner;
        });
        assertEquals(0, calls.get(), "not when the computation is made");
        assertTrue(a.poll(CX).isPending());
        assertTrue(a.poll(CX).isPending());
        inner.complete("v");
        assertEquals("v", a.poll(CX).value());
        assertEquals(1, calls.get());
        assertEquals(3, inner.polls());
    }

    @Test
    void cancellingBeforeTheFirstPollNeverRunsTheBody() {
        AtomicInteger calls = new AtomicInteger();
        Async.defer(() -> {
            calls.incrementAndGet();
            return Async.ready("v");
        }).cancel();
        assertEquals(0, calls.get());
    }

    @Test
    void cancellingAfterwardsCancelsWhatTheBodyMade() throws Exception {
        Stub<String> inner = new Stub<>();
        Async<String> a = Async.defer(() -> inner);
        assertTrue(a.poll(CX).isPending());
        a.cancel();
        assertEquals(1, inner.cancels());
    }

    @Test
    void whatTheBodyThrowsFailsTheComputation() {
        IOException boom = new IOException("boom");
        Async<String> a = Async.defer(() -> {
            throw boom;
        });
        assertSame(boom, assertThrows(IOException.class, () -> a.poll(CX)));
    }

    @Test
    void aBodyReturningNullFailsSayingWhatToReturn() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> Async.defer(() -> null).poll(CX));
        assertTrue(e.getMessage().contains("Async.defer"), e.getMessage());
    }

    static Stream<Named<Supplier<KyotoRuntime>>> flavours() {
        return Flavours.both();
    }

    @ParameterizedTest
    @MethodSource("flavours")
    void theBodyFindsTheRuntimeOfTheTaskThatRunsIt(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            Async<Handle> made = Async.defer(() -> Async.ready(Handle.current()));
            assertTrue(Handle.tryCurrent().isEmpty(), "made outside any runtime");
            try (KyotoRuntime rt = flavour.get()) {
                assertEquals(rt.handle(), rt.blockOn(rt.spawn(made)));
            }
        });
    }
}
