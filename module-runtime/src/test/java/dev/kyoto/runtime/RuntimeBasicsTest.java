package dev.kyoto.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RuntimeBasicsTest {

    @Test
    void runsOnTheModulePath() {
        assertEquals("dev.kyoto.runtime", getClass().getModule().getName(), "surefire must patch the tests into the module, not fall back to the class path");
    }


    static KyotoRuntime runtime() {
        return KyotoRuntime.builder().currentThread().build();
    }

    @Test
    void blockOnReturnsTheValue() throws Exception {
        try (KyotoRuntime rt = runtime()) {
            int v = rt.blockOn(Async.ready(41).map(x -> x + 1));
            assertEquals(42, v);
        }
    }

    @Test
    void blockOnRethrowsTheSameException() {
        IOException boom = new IOException("boom");
        try (KyotoRuntime rt = runtime()) {
            IOException thrown = assertThrows(IOException.class, () -> rt.blockOn(Async.failed(boom)));
            assertSame(boom, thrown);
        }
    }

    @Test
    void spawnedTaskValueIsJoined() throws Exception {
        try (KyotoRuntime rt = runtime()) {
            JoinHandle<String> h = rt.spawn(Async.yieldNow().map(v -> "done"));
            assertFalse(h.isFinished(), "a current-thread task runs only inside blockOn");
            assertEquals("done", rt.blockOn(h));
            assertTrue(h.isFinished());
        }
    }

    @Test
    void taskExceptionIsRethrownUnchangedByItsJoinHandle() {
        IllegalStateException boom = new IllegalStateException("task failed");
        try (KyotoRuntime rt = runtime()) {
            JoinHandle<Object> h = rt.spawn(cx -> {
                throw boom;
            });
            assertSame(boom, assertThrows(IllegalStateException.class, () -> rt.blockOn(h)));
            assertEquals("still alive", assertDoesNotThrowValue(rt), "a failing task does not take the runtime down");
        }
    }

    private static String assertDoesNotThrowValue(KyotoRuntime rt) {
        try {
            return rt.blockOn(rt.spawn(Async.ready("still alive")));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void joinHandlesCanBeAwaitedInAnyOrder() throws Exception {
        try (KyotoRuntime rt = runtime()) {
            JoinHandle<Integer> a = rt.spawn(Async.yieldNow().map(v -> 1));
            JoinHandle<Integer> b = rt.spawn(Async.ready(2));
            JoinHandle<Integer> c = rt.spawn(Async.yieldNow().then(v -> Async.yieldNow()).map(v -> 3));
            assertEquals(3, rt.blockOn(c));
            assertEquals(1, rt.blockOn(a));
            assertEquals(2, rt.blockOn(b));
        }
    }

    @Test
    void toCompletableFutureCompletesWithTheOutcome() throws Exception {
        try (KyotoRuntime rt = runtime()) {
            JoinHandle<String> ok = rt.spawn(Async.yieldNow().map(v -> "ok"));
            CompletableFuture<String> okFuture = ok.toCompletableFuture();
            JoinHandle<String> bad = rt.spawn(Async.failed(new IOException("bad")));
            rt.blockOn(ok);
            assertEquals("ok", okFuture.get(1, TimeUnit.SECONDS));
            try {
                rt.blockOn(bad);
            } catch (IOException expected) {
                // joined once; the bridge must report the same failure
            }
            ExecutionException e = assertThrows(ExecutionException.class, () -> bad.toCompletableFuture().get(1, TimeUnit.SECONDS));
            assertEquals("bad", e.getCause().getMessage());
        }
    }

    @Test
    void fromCompletionStageBridgesAFutureCompletedElsewhere() throws Exception {
        try (KyotoRuntime rt = runtime()) {
            CompletableFuture<String> cf = new CompletableFuture<>();
            Thread t = Thread.ofPlatform().start(() -> cf.complete("from a plain thread"));
            assertEquals("from a plain thread", rt.blockOn(Async.fromCompletionStage(cf)));
            t.join();
        }
    }

    @Test
    void handleCurrentIsSetInsideAndRefusedOutside() throws Exception {
        try (KyotoRuntime rt = runtime()) {
            assertEquals(rt.handle(), rt.blockOn(cx -> Poll.ready(Handle.current())));
            assertEquals(rt.handle(), rt.blockOn(rt.spawn(cx -> Poll.ready(Handle.current()))));
            IllegalStateException e = assertThrows(IllegalStateException.class, Handle::current);
            assertTrue(e.getMessage().contains("no Kyoto runtime is running on this thread"), e.getMessage());
            assertTrue(Handle.tryCurrent().isEmpty());
            try (Handle.EnterGuard g = rt.handle().enter()) {
                assertEquals(rt.handle(), Handle.current());
            }
            assertThrows(IllegalStateException.class, Handle::current);
        }
    }

    @Test
    void enterGuardsClosedOutOfOrderAreRefused() {
        try (KyotoRuntime a = runtime(); KyotoRuntime b = runtime()) {
            Handle.EnterGuard ga = a.handle().enter();
            Handle.EnterGuard gb = b.handle().enter();
            IllegalStateException e = assertThrows(IllegalStateException.class, ga::close);
            assertTrue(e.getMessage().contains("out of order"), e.getMessage());
            gb.close();
            ga.close();
            assertTrue(Handle.tryCurrent().isEmpty());
        }
    }

    @Test
    void nestedBlockOnIsRefused() {
        try (KyotoRuntime rt = runtime()) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> rt.blockOn(cx -> Poll.ready(rt.blockOn(Async.ready(1)))));
            assertTrue(e.getMessage().contains("cannot block a thread that drives asynchronous tasks"), e.getMessage());
        }
    }

    @Test
    void spawnBlockingRunsOffTheRuntimeThread() throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().threadName("rt-test").build()) {
            String outside = rt.blockOn(rt.spawnBlocking(() -> Thread.currentThread().getName()));
            assertTrue(outside.startsWith("rt-test-blocking-"), outside);
            String inside = rt.blockOn(cx -> Poll.ready(Handle.current().spawnBlocking(() -> Thread.currentThread().getName())))
                    .toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertTrue(inside.startsWith("rt-test-blocking-"), inside);
            IOException boom = new IOException("blocking failure");
            assertSame(boom, assertThrows(IOException.class, () -> rt.blockOn(rt.spawnBlocking(() -> {
                throw boom;
            }))));
        }
    }

    @Test
    void yieldNowGivesOtherTasksATurn() throws Exception {
        try (KyotoRuntime rt = runtime()) {
            StringBuilder order = new StringBuilder();
            JoinHandle<Void> a = rt.spawn(step(order, 'a', 3));
            JoinHandle<Void> b = rt.spawn(step(order, 'b', 3));
            rt.blockOn(a);
            rt.blockOn(b);
            assertEquals("ababab", order.toString());
        }
    }

    private static Async<Void> step(StringBuilder order, char c, int n) {
        if (n == 0) {
            return Async.ready(null);
        }
        Async<Void> append = cx -> {
            order.append(c);
            return Poll.ready(null);
        };
        return append.then(v -> Async.yieldNow()).then(v -> step(order, c, n - 1));
    }

    @Test
    void builderRejectsBadValuesNamingThem() {
        KyotoRuntime.Builder b = KyotoRuntime.builder();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.eventInterval(0)).getMessage().contains("0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.globalQueueInterval(-3)).getMessage().contains("-3"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.maxBlockingThreads(0)).getMessage().contains("maxBlockingThreads"));
        assertThrows(IllegalArgumentException.class, () -> b.threadKeepAlive(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> b.threadName(" "));
    }

    @Test
    void ioOnARuntimeWithoutADriverModuleNamesTheModule() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> KyotoRuntime.builder().currentThread().enableIo().build());
        assertTrue(e.getMessage().contains("dev.kyoto.io"), e.getMessage());
    }

    @Test
    void shutdownErrorIsRecognisedExactly() {
        assertTrue(KyotoRuntime.isShutdownError(dev.kyoto.runtime.spi.RuntimeShutdown.error()));
        assertFalse(KyotoRuntime.isShutdownError(new IOException(dev.kyoto.runtime.spi.RuntimeShutdown.MESSAGE + ".")));
        assertFalse(KyotoRuntime.isShutdownError(new IOException(dev.kyoto.runtime.spi.RuntimeShutdown.MESSAGE, new Exception())));
        assertFalse(KyotoRuntime.isShutdownError(new java.net.SocketException(dev.kyoto.runtime.spi.RuntimeShutdown.MESSAGE)));
        assertFalse(KyotoRuntime.isShutdownError(null));
    }

    @Test
    void wakeFromAPlainThreadResumesTheTask() throws Exception {
        try (KyotoRuntime rt = runtime()) {
            AtomicReference<Waker> parked = new AtomicReference<>();
            AtomicInteger polls = new AtomicInteger();
            CompletableFuture<Void> registered = new CompletableFuture<>();
            JoinHandle<Integer> h = rt.spawn(cx -> {
                if (polls.incrementAndGet() == 1) {
                    parked.set(cx.waker());
                    registered.complete(null);
                    return Poll.pending();
                }
                return Poll.ready(polls.get());
            });
            Thread waker = Thread.ofPlatform().start(() -> {
                registered.join();
                parked.get().wake();
            });
            assertEquals(2, rt.blockOn(h));
            waker.join();
        }
    }
}
