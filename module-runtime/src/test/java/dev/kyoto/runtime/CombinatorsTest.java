package dev.kyoto.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}
