package dev.kyoto.test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.net.TcpListener;
import dev.kyoto.net.TcpStream;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Handle;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.time.TestClock;
import dev.kyoto.runtime.time.Time;
import dev.kyoto.test.EngineRun.Outcome;
import dev.kyoto.test.KyotoTest.Flavor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.platform.engine.TestExecutionResult.Status;

// A separate thread, so that the bound is preemptive; @KyotoTest enters its runtime on that thread.
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KyotoExtensionTest {
    private static final byte[] PING = "ping".getBytes(StandardCharsets.US_ASCII);

    // Tests that are themselves @KyotoTest: the kit used as its users use it.

    @KyotoTest(flavor = Flavor.BOTH)
    void theAnnotationExampleHolds(KyotoRuntime rt) throws Exception {
        try (TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"))) {
            JoinHandle<TcpStream> accepted = rt.spawn(listener.accept());
            try (TcpStream client = rt.blockOn(TcpStream.connect(listener.localAddress()));
                    TcpStream server = rt.blockOn(accepted)) {
                rt.blockOn(client.writeAll(ByteBuffer.wrap(PING)));
                ByteBuffer received = ByteBuffer.allocate(PING.length);
                rt.blockOn(server.readExact(received));
                assertArrayEquals(PING, received.array());
            }
        }
    }

    @KyotoTest
    void theTestRunsWithItsRuntimeEntered(KyotoRuntime rt) {
        assertEquals(rt.handle(), Handle.current());
        Time.now();
    }

    @KyotoTest
    void theCurrentThreadFlavourRunsTasksOnTheTestThread(KyotoRuntime rt) throws Exception {
        assertEquals(Thread.currentThread().getName(), rt.blockOn(rt.spawn(threadName())));
        assertFalse(TestClock.isPaused(), "the clock runs unless the test asks for it paused");
    }

    @KyotoTest(flavor = Flavor.MULTI_THREAD, workerThreads = 3)
    void theMultiThreadFlavourRunsTasksOnItsWorkers(KyotoRuntime rt) throws Exception {
        for (int i = 0; i < 20; i++) {
            String worker = rt.blockOn(rt.spawn(threadName()));
            assertTrue(worker.matches("kyoto-worker-[012]"), worker);
        }
        assertThrows(IllegalStateException.class, TestClock::pause, "a multi-thread runtime's clock cannot be paused");
    }

    @KyotoTest(startPaused = true)
    void aPausedClockJumpsAnHourLongSleep(KyotoRuntime rt) throws Exception {
        assertTrue(TestClock.isPaused());
        long wallStart = System.nanoTime();
        Instant start = Time.now();

        rt.blockOn(Time.sleep(Duration.ofHours(1)));

        Duration slept = Duration.between(start, Time.now());
        // The deadline is rounded up to the wheel's millisecond.
        assertTrue(slept.compareTo(Duration.ofHours(1)) >= 0 && slept.compareTo(Duration.ofHours(1).plusMillis(1)) <= 0,
                () -> "the clock moved " + slept);
        assertTrue(System.nanoTime() - wallStart < TimeUnit.SECONDS.toNanos(10), "the hour took real time");
    }

    // Tests that run small test classes through a launcher, to see what JUnit reports.

    static class BothFlavours {
        static final List<KyotoRuntime> RUNTIMES = new CopyOnWriteArrayList<>();
        static final List<String> TASK_THREADS = new CopyOnWriteArrayList<>();

        @KyotoTest(flavor = Flavor.BOTH)
        void both(KyotoRuntime rt) throws Exception {
            RUNTIMES.add(rt);
            TASK_THREADS.add(rt.blockOn(rt.spawn(threadName())));
        }
    }

    @Test
    void bothFlavoursAreTwoInvocationsNamedAfterTheirFlavour() {
        BothFlavours.RUNTIMES.clear();
        BothFlavours.TASK_THREADS.clear();

        EngineRun run = EngineRun.of(BothFlavours.class);

        assertEquals(List.of("[current-thread]", "[multi-thread]"), run.tests().stream().map(Outcome::displayName).toList());
        run.tests().forEach(t -> assertEquals(Status.SUCCESSFUL, t.status(), () -> t + " failed"));
        assertEquals(2, BothFlavours.RUNTIMES.size());
        assertNotSame(BothFlavours.RUNTIMES.get(0), BothFlavours.RUNTIMES.get(1), "each invocation has a runtime of its own");
        assertEquals(Thread.currentThread().getName(), BothFlavours.TASK_THREADS.get(0));
        assertTrue(BothFlavours.TASK_THREADS.get(1).startsWith("kyoto-worker-"), BothFlavours.TASK_THREADS.get(1));
    }

    static class FailingBody {
        static final IOException FAILURE = new IOException("the peer hung up");

        @KyotoTest
        void fails(KyotoRuntime rt) throws Exception {
            rt.blockOn(Async.yieldNow().then(v -> Async.failed(FAILURE)));
        }
    }

    @Test
    void aFailureOfTheAsyncBodyIsReportedUnchanged() {
        Outcome test = EngineRun.of(FailingBody.class).onlyTest();

        assertEquals(Status.FAILED, test.status());
        assertSame(FailingBody.FAILURE, test.failure().orElseThrow());
    }

    static class LeavesATaskBehind {
        static final AtomicInteger CANCELS = new AtomicInteger();
        static final List<JoinHandle<Void>> TASKS = new CopyOnWriteArrayList<>();

        @KyotoTest(flavor = Flavor.BOTH)
        void leaves(KyotoRuntime rt) throws Exception {
            JoinHandle<Void> task = rt.spawn(new Async<>() {
                @Override
                public Poll<Void> poll(Context cx) {
                    return Poll.pending();
                }

                @Override
                public void cancel() {
                    CANCELS.incrementAndGet();
                }
            });
            TASKS.add(task);
            // Let the task be polled once, so that it is a live, pending task when the test ends.
            rt.blockOn(Async.yieldNow());
        }
    }

    @Test
    void theRuntimeIsClosedAfterTheTestCancellingWhatItLeft() throws Exception {
        LeavesATaskBehind.CANCELS.set(0);
        LeavesATaskBehind.TASKS.clear();

        EngineRun run = EngineRun.of(LeavesATaskBehind.class);

        run.tests().forEach(t -> assertEquals(Status.SUCCESSFUL, t.status(), () -> t + " failed"));
        assertEquals(2, LeavesATaskBehind.CANCELS.get(), "each flavour's runtime cancels the task left behind");
        for (JoinHandle<Void> task : LeavesATaskBehind.TASKS) {
            assertTrue(task.isFinished());
            assertTrue(task.toCompletableFuture().isCancelled(), () -> task + " was not cancelled");
        }
        assertTrue(Handle.tryCurrent().isEmpty(), "the test thread left the runtime");
    }

    static class LifecycleMethods {
        static final List<String> SEEN = new CopyOnWriteArrayList<>();

        @BeforeEach
        void before(KyotoRuntime rt) {
            SEEN.add("before " + (Handle.current().equals(rt.handle()) ? "entered" : "not entered") + " " + rt);
        }

        @KyotoTest
        void test(KyotoRuntime rt) {
            SEEN.add("test " + rt);
        }

        @AfterEach
        void after(KyotoRuntime rt) {
            SEEN.add("after " + (Handle.current().equals(rt.handle()) ? "entered" : "not entered") + " " + rt);
        }
    }

    @Test
    void beforeAndAfterEachMethodsShareTheInvocationsRuntime() {
        LifecycleMethods.SEEN.clear();

        Outcome test = EngineRun.of(LifecycleMethods.class).onlyTest();

        assertEquals(Status.SUCCESSFUL, test.status(), () -> test + " failed");
        List<String> seen = LifecycleMethods.SEEN;
        assertEquals(3, seen.size(), seen::toString);
        String rt = seen.get(1).substring("test ".length());
        assertEquals(List.of("before entered " + rt, "test " + rt, "after entered " + rt), seen);
    }

    static class RuntimeInTheConstructor {
        RuntimeInTheConstructor(KyotoRuntime rt) {
        }

        @KyotoTest
        void test() {
        }
    }

    @Test
    void aConstructorCannotTakeTheRuntime() {
        Outcome test = EngineRun.of(RuntimeInTheConstructor.class).onlyTest();

        assertEquals(Status.FAILED, test.status());
        Throwable failure = test.failure().orElseThrow();
        assertInstanceOf(ParameterResolutionException.class, failure);
        assertTrue(failure.getMessage().contains("not of"), failure.getMessage());
    }

    static class PausedMultiThread {
        @KyotoTest(flavor = Flavor.MULTI_THREAD, startPaused = true)
        void paused() {
        }
    }

    @Test
    void aPausedMultiThreadRuntimeIsAConfigurationError() {
        EngineRun run = EngineRun.of(PausedMultiThread.class);

        assertEquals(List.of(), run.tests(), "nothing runs");
        Outcome template = run.container("paused()");
        assertEquals(Status.FAILED, template.status());
        Throwable failure = template.failure().orElseThrow();
        assertInstanceOf(ExtensionConfigurationException.class, failure);
        assertTrue(failure.getMessage().contains("startPaused = true needs flavor = CURRENT_THREAD, was MULTI_THREAD"),
                failure.getMessage());
    }

    static class ReturnsAnAsync {
        static final AtomicInteger RUNS = new AtomicInteger();

        @KyotoTest
        Async<Void> returnsAnAsync() {
            RUNS.incrementAndGet();
            return Async.ready(null);
        }
    }

    @Test
    void aTestThatReturnsAnAsyncIsNotRunAndFailsWhenDiscoveryWarningsAreCritical() {
        // The reason @KyotoTest methods are void: if JUnit ever runs such a method, revisit the design.
        // (Without the setting JUnit only logs the warning, which would read like a real problem in the build's output.)
        ReturnsAnAsync.RUNS.set(0);

        EngineRun run = EngineRun.of(ReturnsAnAsync.class, Map.of("junit.platform.discovery.issue.severity.critical", "WARNING"));

        assertEquals(List.of(), run.tests());
        assertEquals(0, ReturnsAnAsync.RUNS.get());
        assertTrue(run.all().stream().anyMatch(o -> o.status() == Status.FAILED
                && o.failure().map(Throwable::toString).orElse("").contains("must not return a value. It will not be executed.")),
                () -> run.all().toString());
    }

    private static Async<String> threadName() {
        return cx -> Poll.ready(Thread.currentThread().getName());
    }
}
