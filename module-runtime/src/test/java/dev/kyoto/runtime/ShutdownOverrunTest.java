package dev.kyoto.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.TaskLifecycleTest.Parked;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;

/**
 * {@code shutdownTimeout} gives up waiting on a task that overruns it, but what that task's thread
 * still holds must not be stranded: the tasks queued on it are cancelled (their futures'
 * {@code cancel()} runs and their handles finish) when the overrunning poll returns.
 */
class ShutdownOverrunTest {
    private static final long BOUND_SECONDS = 20;
    private static final int CHILDREN = 200;

    /**
     * A task spawns children (onto its own thread: the LIFO slot and the local queue of a worker,
     * the local queue of a current-thread core), then overruns the shutdown.
     */
    private static void childrenOfAnOverrunningTaskAreCancelled(KyotoRuntime rt, boolean driveFromAnotherThread)
            throws Exception {
        CountDownLatch spawned = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Parked> children = new ArrayList<>();
        List<JoinHandle<String>> handles = new ArrayList<>();
        JoinHandle<Boolean> parent = rt.spawn(cx -> {
            for (int i = 0; i < CHILDREN; i++) {
                Parked child = new Parked();
                children.add(child);
                handles.add(Handle.current().spawn(child));
            }
            spawned.countDown();
            return Poll.ready(release.await(BOUND_SECONDS, TimeUnit.SECONDS));
        });
        CompletableFuture<Boolean> driving = driveFromAnotherThread
                ? CompletableFuture.supplyAsync(() -> {
                    try {
                        return rt.blockOn(parent);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                })
                : null;
        assertTrue(spawned.await(BOUND_SECONDS, TimeUnit.SECONDS), "the parent task never ran");
        rt.shutdownTimeout(Duration.ofMillis(50));
        release.countDown();
        for (JoinHandle<String> h : handles) {
            assertThrows(CancellationException.class, () -> h.toCompletableFuture().get(BOUND_SECONDS, TimeUnit.SECONDS),
                    "a child queued behind the overrunning task never finished");
        }
        for (Parked child : children) {
            assertEquals(0, child.polls.get(), "a child was polled after shutdown began");
            assertEquals(1, child.cancels.get(), "a child's cancel() did not run exactly once");
        }
        if (driving != null) {
            assertTrue(driving.get(BOUND_SECONDS, TimeUnit.SECONDS));
        }
    }

    @RepeatedTest(3)
    void multiThreadWorkerCancelsWhatItHoldsWhenItLeaves() throws Exception {
        KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(1).build();
        childrenOfAnOverrunningTaskAreCancelled(rt, false);
        rt.close();
    }

    @RepeatedTest(3)
    void currentThreadDriverCancelsItsQueueWhenShutdownGaveUpOnTheCore() throws Exception {
        KyotoRuntime rt = KyotoRuntime.builder().currentThread().build();
        childrenOfAnOverrunningTaskAreCancelled(rt, true);
        rt.close();
    }
}
