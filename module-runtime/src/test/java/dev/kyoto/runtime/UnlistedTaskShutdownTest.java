package dev.kyoto.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Tasks are listed for shutdown only once they go idle, so tasks still queued when a shutdown
 * begins are not on the list: shutdown must still cancel them, without polling them, once the
 * worker that holds them gets to them.
 */
class UnlistedTaskShutdownTest {
    private static final int QUEUED = 100;

    @Test
    void tasksQueuedBehindABusyWorkerAreCancelledUnpolledWhenShutdownBegins() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(1).build();
            AtomicInteger polled = new AtomicInteger();
            List<JoinHandle<Void>> queued = new ArrayList<>();
            CountDownLatch spawned = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            rt.spawn(cx -> {
                for (int i = 0; i < QUEUED; i++) {
                    queued.add(Handle.current().spawn(c -> {
                        polled.incrementAndGet();
                        return Poll.ready(null);
                    }));
                }
                spawned.countDown();
                // Holds the only worker until the shutdown has begun.
                assertTrue(release.await(30, TimeUnit.SECONDS));
                return Poll.ready(null);
            });
            assertTrue(spawned.await(30, TimeUnit.SECONDS));
            Handle handle = rt.handle();
            Thread closer = Thread.ofPlatform().start(rt::close);
            // A spawn is refused on the spot once shutdown has begun: that is the event to wait for.
            while (!handle.spawn(Async.ready(null)).isFinished()) {
                Thread.onSpinWait();
            }
            release.countDown();
            closer.join();
            assertEquals(0, polled.get(), "tasks queued before the shutdown were polled during it");
            for (JoinHandle<Void> h : queued) {
                assertTrue(h.isFinished());
                assertThrows(CancellationException.class, () -> h.toCompletableFuture().join());
            }
        });
    }
}
