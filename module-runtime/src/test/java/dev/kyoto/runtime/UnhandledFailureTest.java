package dev.kyoto.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kyoto.runtime.sync.Oneshot;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A task that fails with nobody waiting for it is reported to the runtime's handler at once, on
 * the thread that ran it, with the task's name; a task somebody joins is not; a later join still
 * sees the failure.
 */
class UnhandledFailureTest {

    record Report(String task, Throwable failure, String thread) {
    }

    private static KyotoRuntime currentThread(List<Report> reports) {
        return KyotoRuntime.builder().currentThread().enableTime()
                .onUnhandledFailure((name, failure) -> reports.add(new Report(name, failure, Thread.currentThread().getName())))
                .build();
    }

    @Test
    void aFireAndForgetFailureIsReportedBeforeTheRuntimeDoesAnythingElse() throws Exception {
        List<Report> reports = new CopyOnWriteArrayList<>();
        IllegalStateException boom = new IllegalStateException("boom");
        try (KyotoRuntime rt = currentThread(reports)) {
            JoinHandle<Void> h = rt.spawn("fetch-user-42", Async.failed(boom));
            // The task runs in this blockOn's first turn; no collection, no other event needed.
            rt.blockOn(Async.yieldNow());
            assertEquals(1, reports.size(), "the failure reached the handler when the task ended");
            Report r = reports.get(0);
            assertEquals("fetch-user-42", r.task());
            assertSame(boom, r.failure());
            assertEquals(Thread.currentThread().getName(), r.thread(), "reported on the thread that ran the task");
            IllegalStateException joined = assertThrows(IllegalStateException.class, () -> rt.blockOn(h));
            assertSame(boom, joined, "a later join still sees the failure");
            assertEquals(1, reports.size(), "joining afterwards reports nothing more");
        }
    }

    /**
     * Runs in the "default-logging" surefire execution, where this logger is at WARN as it is for
     * users; the module's other tests route it to ERROR (src/test/resources/simplelogger.properties).
     */
    @Test
    @Tag("default-logging")
    void byDefaultAFireAndForgetFailureIsOneWarnLineNamingTheTaskWithItsStackTrace() throws Exception {
        List<String> lines;
        try (KyotoRuntime rt = KyotoRuntime.builder().build()) {
            lines = StandardErrorLines.of(() -> {
                rt.spawn("nightly-report", Async.failed(new java.io.FileNotFoundException("report.csv (provoked by UnhandledFailureTest)")));
                rt.blockOn(Async.yieldNow());
            });
        }
        String log = String.join("\n", lines);
        String first = log.lines().findFirst().orElse("");
        assertTrue(first.contains("WARN") && first.contains("task nightly-report failed and nobody was waiting for it"), log);
        assertTrue(log.contains("java.io.FileNotFoundException: report.csv"), log);
        assertTrue(log.lines().anyMatch(l -> l.strip().startsWith("at ")), "with the stack trace: " + log);
    }

    @Test
    void aFailureOnAMultiThreadRuntimeIsReportedFromTheWorkerWithoutAnybodyPolling() throws Exception {
        LinkedBlockingQueue<Report> reports = new LinkedBlockingQueue<>();
        try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(2).threadName("w")
                .onUnhandledFailure((name, failure) -> reports.add(new Report(name, failure, Thread.currentThread().getName())))
                .build()) {
            for (int i = 0; i < 100; i++) {
                rt.spawn("job-" + i, cx -> {
                    throw new java.io.IOException("lost");
                });
            }
            for (int i = 0; i < 100; i++) {
                Report r = reports.poll(30, TimeUnit.SECONDS);
                assertNotNull(r, "a failure was not reported");
                assertTrue(r.task().startsWith("job-"), r.task());
                assertTrue(r.thread().startsWith("w"), "reported on a worker: " + r.thread());
            }
        }
    }

    @Test
    void aTaskSomebodyIsJoiningIsNotReported() throws Exception {
        List<Report> reports = new CopyOnWriteArrayList<>();
        try (KyotoRuntime rt = currentThread(reports)) {
            Oneshot.Channel<Void> go = Oneshot.channel();
            JoinHandle<Void> failing = rt.spawn("joined", go.receiver().map(v -> {
                throw new IllegalArgumentException("expected");
            }));
            JoinHandle<String> joiner = rt.spawn(failing.map(v -> "no").recover(e -> e.getMessage()));
            rt.blockOn(Async.yieldNow());
            go.sender().send(null);
            assertEquals("expected", rt.blockOn(joiner));
            assertEquals(List.of(), reports, "the joiner handled the failure");
        }
    }

    @Test
    void aTaskWhoseBridgeFutureWasAskedForIsNotReported() throws Exception {
        List<Report> reports = new CopyOnWriteArrayList<>();
        try (KyotoRuntime rt = currentThread(reports)) {
            Oneshot.Channel<Void> go = Oneshot.channel();
            JoinHandle<Void> failing = rt.spawn(go.receiver().map(v -> {
                throw new IllegalArgumentException("expected");
            }));
            CompletableFuture<Void> f = failing.toCompletableFuture();
            go.sender().send(null);
            rt.blockOn(Async.yieldNow());
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
            assertEquals("expected", e.getCause().getMessage());
            assertEquals(List.of(), reports);
        }
    }

    @Test
    void aJoinerThatLostInterestLeavesTheFailureUnhandled() throws Exception {
        List<Report> reports = new CopyOnWriteArrayList<>();
        try (KyotoRuntime rt = currentThread(reports)) {
            Oneshot.Channel<Void> go = Oneshot.channel();
            JoinHandle<Void> failing = rt.spawn("abandoned", go.receiver().map(v -> {
                throw new IllegalArgumentException("nobody cares now");
            }));
            // A joiner that times out detaches: nobody waits when the failure comes.
            assertThrows(java.util.concurrent.TimeoutException.class,
                    () -> rt.blockOn(dev.kyoto.runtime.time.Time.timeout(Duration.ofMillis(1), failing)));
            go.sender().send(null);
            rt.blockOn(Async.yieldNow());
            assertEquals(1, reports.size());
            assertEquals("abandoned", reports.get(0).task());
        }
    }

    @Test
    void cancellationIsNeverReported() throws Exception {
        List<Report> reports = new CopyOnWriteArrayList<>();
        try (KyotoRuntime rt = currentThread(reports)) {
            Oneshot.Channel<Void> never = Oneshot.channel();
            JoinHandle<Void> h = rt.spawn(never.receiver());
            rt.blockOn(Async.yieldNow());
            h.abort();
            rt.blockOn(Async.yieldNow());
            assertTrue(h.isFinished());
            assertThrows(CancellationException.class, () -> rt.blockOn(h));
            Oneshot.Channel<Void> pending = Oneshot.channel();
            rt.spawn(pending.receiver());
            rt.blockOn(Async.yieldNow());
            assertTrue(pending.sender() != null, "held until shutdown cancels the task");
        }
        assertEquals(List.of(), reports, "neither an abort nor shutdown is a failure");
    }

    @Test
    void aBlockingTaskFailureIsReportedWithItsName() {
        LinkedBlockingQueue<Report> reports = new LinkedBlockingQueue<>();
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = KyotoRuntime.builder()
                    .onUnhandledFailure((name, failure) -> reports.add(new Report(name, failure, Thread.currentThread().getName())))
                    .build()) {
                rt.handle().spawnBlocking("resolve", () -> {
                    throw new java.net.UnknownHostException("nowhere.invalid");
                });
                Report r = reports.take();
                assertEquals("resolve", r.task());
                assertTrue(r.failure() instanceof java.net.UnknownHostException);
            }
        });
    }

    @Test
    void aHandlerThatThrowsHarmsNeitherTheTaskNorTheRuntime() throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().onUnhandledFailure((name, failure) -> {
            throw new IllegalStateException("handler bug (provoked by UnhandledFailureTest)");
        }).build()) {
            IllegalArgumentException boom = new IllegalArgumentException("task failure (provoked by UnhandledFailureTest)");
            JoinHandle<Void> h = rt.spawn("noisy", Async.failed(boom));
            rt.blockOn(Async.yieldNow());
            assertSame(boom, assertThrows(IllegalArgumentException.class, () -> rt.blockOn(h)));
            assertEquals(7, rt.blockOn(rt.spawn(Async.ready(7))), "the runtime still runs tasks");
        }
    }

    @Test
    void namesAreWhatWasGivenOrAStableDefault() throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().build()) {
            assertEquals("accept-loop", rt.spawn("accept-loop", Async.ready(1)).name());
            assertEquals("lookup", rt.handle().spawnBlocking("lookup", () -> 1).name());
            JoinHandle<Integer> unnamed = rt.spawn(Async.ready(1));
            String name = unnamed.name();
            assertTrue(name.matches("task-[0-9a-f]+"), name);
            rt.blockOn(unnamed);
            assertEquals(name, unnamed.name(), "the same name for the task's whole life");
            assertThrows(NullPointerException.class, () -> rt.spawn(null, Async.ready(1)));
        }
    }
}
