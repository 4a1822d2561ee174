package dev.kyoto.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TaskLifecycleTest {

    /** A future that stays pending until woken by hand, and counts its polls and cancels. */
    static final class Parked implements Async<String> {
        final AtomicInteger polls = new AtomicInteger();
        final AtomicInteger cancels = new AtomicInteger();
        final AtomicReference<Waker> waker = new AtomicReference<>();
        volatile boolean release;

        @Override
        public Poll<String> poll(Context cx) {
            polls.incrementAndGet();
            waker.set(cx.waker());
            return release ? Poll.ready("released") : Poll.pending();
        }

        @Override
        public void cancel() {
            cancels.incrementAndGet();
        }
    }

    @Test
    void abortBeforeFirstPollCancelsWithoutPolling() {
        try (KyotoRuntime rt = RuntimeBasicsTest.runtime()) {
            Parked p = new Parked();
            JoinHandle<String> h = rt.spawn(p);
            h.abort();
            assertThrows(CancellationException.class, () -> rt.blockOn(h));
            assertEquals(0, p.polls.get());
            assertEquals(1, p.cancels.get());
        }
    }

    @Test
    void abortOfAParkedTaskCancelsItsFutureOnce() throws Exception {
        try (KyotoRuntime rt = RuntimeBasicsTest.runtime()) {
            Parked p = new Parked();
            JoinHandle<String> h = rt.spawn(p);
            rt.blockOn(Async.yieldNow());
            assertEquals(1, p.polls.get());
            h.abort();
            h.abort();
            assertThrows(CancellationException.class, () -> rt.blockOn(h));
            assertEquals(1, p.cancels.get());
            p.waker.get().wake();
            rt.blockOn(Async.yieldNow());
            assertEquals(1, p.polls.get(), "a wake after cancellation is a no-op");
        }
    }

    @Test
    void abortDuringAPollTakesEffectWhenThePollReturns() {
        try (KyotoRuntime rt = RuntimeBasicsTest.runtime()) {
            AtomicInteger cancels = new AtomicInteger();
            AtomicReference<JoinHandle<String>> self = new AtomicReference<>();
            JoinHandle<String> h = rt.spawn(new Async<>() {
                @Override
                public Poll<String> poll(Context cx) {
                    self.get().abort();
                    cx.waker().wake();
                    return Poll.pending();
                }

                @Override
                public void cancel() {
                    cancels.incrementAndGet();
                }
            });
            self.set(h);
            assertThrows(CancellationException.class, () -> rt.blockOn(h));
            assertEquals(1, cancels.get());
        }
    }

    @Test
    void abortAfterCompletionChangesNothing() throws Exception {
        try (KyotoRuntime rt = RuntimeBasicsTest.runtime()) {
            JoinHandle<String> h = rt.spawn(Async.ready("value"));
            assertEquals("value", rt.blockOn(h));
            h.abort();
            assertEquals("value", rt.blockOn(h));
        }
    }

    @Test
    void aTaskWokenWhileRunningIsPolledAgainExactlyOnce() throws Exception {
        try (KyotoRuntime rt = RuntimeBasicsTest.runtime()) {
            AtomicInteger polls = new AtomicInteger();
            JoinHandle<Integer> h = rt.spawn(cx -> {
                int n = polls.incrementAndGet();
                if (n == 1) {
                    cx.waker().wake();
                    cx.waker().wake();
                    cx.waker().wake();
                    return Poll.pending();
                }
                return Poll.ready(n);
            });
            assertEquals(2, rt.blockOn(h));
        }
    }

    @Test
    void closeCancelsEveryParkedTaskAndRefusesLaterSpawns() {
        KyotoRuntime rt = RuntimeBasicsTest.runtime();
        Parked[] parked = new Parked[100];
        @SuppressWarnings("unchecked")
        JoinHandle<String>[] handles = new JoinHandle[parked.length];
        for (int i = 0; i < parked.length; i++) {
            parked[i] = new Parked();
            handles[i] = rt.spawn(parked[i]);
        }
        try {
            rt.blockOn(Async.yieldNow());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        rt.close();
        for (int i = 0; i < parked.length; i++) {
            JoinHandle<String> h = handles[i];
            assertTrue(h.isFinished());
            assertEquals(1, parked[i].cancels.get());
            assertThrows(CancellationException.class, () -> h.toCompletableFuture().join());
        }
        Parked late = new Parked();
        JoinHandle<String> lateHandle = rt.spawn(late);
        assertTrue(lateHandle.isFinished());
        assertEquals(0, late.polls.get());
        assertThrows(IllegalStateException.class, () -> rt.blockOn(Async.ready(1)));
        rt.close();
    }

    @Test
    void closeFromInsideATaskIsRefused() throws Exception {
        try (KyotoRuntime rt = RuntimeBasicsTest.runtime()) {
            JoinHandle<Object> h = rt.spawn(cx -> {
                rt.close();
                return Poll.ready(null);
            });
            assertThrows(IllegalStateException.class, () -> rt.blockOn(h));
        }
    }
}
