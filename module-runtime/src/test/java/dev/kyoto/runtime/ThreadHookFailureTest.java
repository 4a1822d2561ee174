package dev.kyoto.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A start hook that throws is reported, and never costs the runtime capacity or strands work:
 * a worker's failure fails {@code build()} and leaves no thread behind; a blocking thread's
 * failure fails the work nobody is left to run, and the next work gets a new thread.
 */
class ThreadHookFailureTest {
    private static final long BOUND_SECONDS = 20;

    private static List<Thread> threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix)).toList();
    }

    @Test
    void aWorkerWhoseStartHookThrowsFailsTheBuildNamingTheThreadAndLeavesNoThreads() throws Exception {
        IllegalStateException refused = new IllegalStateException("hook refused");
        AtomicInteger stops = new AtomicInteger();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> KyotoRuntime.builder()
                .multiThread().workerThreads(3).enableTime().threadName("hookfail")
                .onThreadStart(() -> {
                    if (Thread.currentThread().getName().equals("hookfail-1")) {
                        throw refused;
                    }
                })
                .onThreadStop(stops::incrementAndGet)
                .build());
        assertTrue(e.getMessage().contains("hookfail-1"), e.getMessage());
        assertTrue(e.getMessage().contains("onThreadStart"), e.getMessage());
        assertSame(refused, e.getCause());
        for (Thread t : threadsNamed("hookfail")) {
            t.join(TimeUnit.SECONDS.toMillis(BOUND_SECONDS));
            assertTrue(!t.isAlive(), "a worker thread outlived the failed build: " + t.getName());
        }
        assertEquals(2, stops.get(), "the two workers whose hook completed ran their stop hook");
    }

    @Test
    void aBlockingThreadWhoseStartHookThrowsFailsTheWaitingWorkAndGivesItsPlaceBack() throws Exception {
        IllegalStateException refused = new IllegalStateException("hook refused once");
        AtomicInteger starts = new AtomicInteger();
        try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().maxBlockingThreads(1).threadName("hookonce")
                .onThreadStart(() -> {
                    if (starts.getAndIncrement() == 0) {
                        throw refused;
                    }
                })
                .build()) {
            ExecutionException first = assertThrows(ExecutionException.class,
                    () -> rt.spawnBlocking(() -> 1).toCompletableFuture().get(BOUND_SECONDS, TimeUnit.SECONDS));
            RejectedExecutionException why = assertInstanceOf(RejectedExecutionException.class, first.getCause());
            assertTrue(why.getMessage().contains("hookonce-blocking-0"), why.getMessage());
            assertSame(refused, why.getCause());
            // The one place of the pool was given back: the next work gets a thread and runs.
            assertEquals(2, rt.spawnBlocking(() -> 2).toCompletableFuture().get(BOUND_SECONDS, TimeUnit.SECONDS));
            assertEquals(3, rt.blockOn(rt.spawnBlocking(() -> 3)));
        }
    }

    @Test
    void aStopHookThatThrowsDoesNotHangShutdown() throws Exception {
        KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(2).threadName("stopfail")
                .onThreadStop(() -> {
                    throw new IllegalStateException("stop hook refused");
                })
                .build();
        assertEquals(7, rt.spawnBlocking(() -> 7).toCompletableFuture().get(BOUND_SECONDS, TimeUnit.SECONDS));
        rt.close();
        for (Thread t : threadsNamed("stopfail")) {
            t.join(TimeUnit.SECONDS.toMillis(BOUND_SECONDS));
            assertTrue(!t.isAlive(), "a thread outlived close(): " + t.getName());
        }
    }
}
