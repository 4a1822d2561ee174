package dev.kyoto.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CombinatorsTest {
    private static final Context CX = new Context(Waker.noop());

    private static Async<Integer> countDown(int n) {
        return Async.ready(n).then(i -> i == 0 ? Async.ready(0) : countDown(i - 1));
    }

    @Test
    void aLoopThroughThenRunsInConstantStackDepth() throws Exception {
        Poll<Integer> p = countDown(1_000_000).poll(CX);
        assertEquals(0, p.value());
    }

    @Test
    void aLoopThatYieldsEachRoundFinishesOnARuntime() throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().build()) {
            AtomicInteger rounds = new AtomicInteger();
            assertEquals(100_000, rt.blockOn(yieldingLoop(rounds, 100_000)));
        }
    }

    private static Async<Integer> yieldingLoop(AtomicInteger rounds, int limit) {
        return Async.yieldNow().then(v -> rounds.incrementAndGet() == limit ? Async.ready(limit) : yieldingLoop(rounds, limit));
    }

    @Test
    void mapAndRecoverTransformValuesAndFailures() throws Exception {
        assertEquals("7", Async.ready(7).map(String::valueOf).poll(CX).value());
        IOException boom = new IOException("boom");
        assertSame(boom, assertThrows(IOException.class, () -> Async.<Integer>failed(boom).map(i -> i + 1).poll(CX)));
        assertEquals("boom", Async.<String>failed(boom).recover(Throwable::getMessage).poll(CX).value());
    }

    @Test
    void cancelReachesTheLiveChildOnly() throws Exception {
        AtomicInteger firstCancels = new AtomicInteger();
        AtomicInteger secondCancels = new AtomicInteger();
        Async<Integer> first = new Async<>() {
            @Override
            public Poll<Integer> poll(Context cx) {
                return Poll.ready(1);
            }

            @Override
            public void cancel() {
                firstCancels.incrementAndGet();
            }
        };
        Async<Integer> second = new Async<>() {
            @Override
            public Poll<Integer> poll(Context cx) {
                return Poll.pending();
            }

            @Override
            public void cancel() {
                secondCancels.incrementAndGet();
            }
        };
        Async<Integer> chain = first.then(v -> second);
        assertEquals(true, chain.poll(CX).isPending());
        chain.cancel();
        assertEquals(0, firstCancels.get());
        assertEquals(1, secondCancels.get());
    }

    @Test
    void recoverWithATypeRecoversInstancesOfItAndLetsOthersThroughUnchanged() throws Exception {
        assertEquals("refused", Async.<String>failed(new java.net.ConnectException("refused"))
                .recover(IOException.class, Throwable::getMessage).poll(CX).value(), "a subclass is an instance");
        IllegalStateException other = new IllegalStateException("other");
        AtomicInteger applied = new AtomicInteger();
        Async<String> a = Async.<String>failed(other).recover(IOException.class, e -> {
            applied.incrementAndGet();
            return "recovered";
        });
        assertSame(other, assertThrows(IllegalStateException.class, () -> a.poll(CX)));
        assertEquals(0, applied.get());
        assertEquals("v", Async.ready("v").recover(IOException.class, e -> "recovered").poll(CX).value());
    }

    @Test
    void recoverWithRunsTheFallbackComputationAndCancelReachesIt() throws Exception {
        IOException boom = new IOException("boom");
        Stub<String> fallback = new Stub<>();
        Async<String> a = Async.<String>failed(boom).recoverWith(e -> {
            assertSame(boom, e);
            return fallback;
        });
        assertTrue(a.poll(CX).isPending());
        a.cancel();
        assertEquals(1, fallback.cancels());

        Stub<String> first = new Stub<>();
        Async<String> b = first.recoverWith(e -> Async.ready("fallback"));
        assertTrue(b.poll(CX).isPending());
        first.failWith(boom);
        assertEquals("fallback", b.poll(CX).value());
    }

    @Test
    void recoverWithPassesOnTheFailureOfTheFallbackAndOfItsFunction() {
        IOException second = new IOException("second");
        assertSame(second, assertThrows(IOException.class,
                () -> Async.<String>failed(new IOException("first")).recoverWith(e -> Async.failed(second)).poll(CX)));
        IllegalStateException thrown = new IllegalStateException("function");
        assertSame(thrown, assertThrows(IllegalStateException.class,
                () -> Async.<String>failed(new IOException("first")).recoverWith(e -> {
                    throw thrown;
                }).poll(CX)));
    }
}
