package dev.kyoto.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.time.Time;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A thread whose interrupt status is set still sleeps while it waits in Kyoto. The JDK's park
 * returns at once on such a thread, so a wait loop around it spun a core for the whole wait
 * (found by the soak suite: 486 ms of CPU in a 500 ms wait). Kyoto's waits are not
 * interruptible; the status is kept for the caller.
 */
class InterruptedThreadTest {
    private static final Duration WAIT = Duration.ofMillis(400);
    /** A waiting thread may use a little CPU; a spinning one uses all of the wait. */
    private static final long MAX_CPU_MILLIS = WAIT.toMillis() / 4;

    /** The calling thread's user and system CPU time, in ms (clock ticks of 10 ms). */
    private static long threadCpuMillis() throws IOException {
        String stat = Files.readString(Path.of("/proc/thread-self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // Fields 14 and 15 of stat(5), counted from the state, which is field 3.
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10;
    }

    /** Waits in {@code rt.blockOn} on an interrupted thread; asserts it slept and kept the status. */
    private static void blockOnWhileInterrupted(KyotoRuntime rt) throws Exception {
        Thread.currentThread().interrupt();
        try {
            long before = threadCpuMillis();
            rt.blockOn(Time.sleep(WAIT));
            long used = threadCpuMillis() - before;
            assertTrue(Thread.currentThread().isInterrupted(), "blockOn cleared the caller's interrupt status");
            assertTrue(used <= MAX_CPU_MILLIS, "the interrupted thread used " + used + " ms of CPU in a " + WAIT.toMillis()
                    + " ms wait: it spun");
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void aCurrentThreadRuntimeWithoutIoSleepsInItsParker() throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().enableTime().build()) {
            blockOnWhileInterrupted(rt);
        }
    }

    @Test
    void aMultiThreadBlockOnSleepsWhileTheWorkersRun() throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(2).enableTime().build()) {
            blockOnWhileInterrupted(rt);
        }
    }

    @Test
    void aSecondBlockOnSleepsWhileAnotherThreadHoldsTheCore() throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().enableTime().build()) {
            CountDownLatch driving = new CountDownLatch(1);
            CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> {
                try {
                    rt.blockOn(Async.<Void>ready(null).then(v -> {
                        driving.countDown();
                        return Time.sleep(WAIT.multipliedBy(3));
                    }));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            assertTrue(driving.await(20, TimeUnit.SECONDS));
            blockOnWhileInterrupted(rt);
            holder.get(20, TimeUnit.SECONDS);
        }
    }
}
