package dev.kyoto.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.time.Time;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.RepeatedTest;

/**
 * A task that blocks its worker in one long poll must not stall the rest of a multi-thread
 * runtime while another worker is idle: the tasks queued behind it are stolen, and the driver
 * is turned, so timers and I/O go on.
 *
 * <p>The stuck poll here waits on a latch that only the rest of the runtime can release, with a
 * 20-second bound: a runtime that stalls fails the test instead of merely being slow.
 */
class StuckWorkerTest {
    private static final long BOUND_SECONDS = 20;

    private static KyotoRuntime twoWorkers() {
        return KyotoRuntime.builder().multiThread().workerThreads(2).enableTime().threadName("stuck").build();
    }

    /** Blocks the worker thread it runs on until {@code release} opens; true if it did in time. */
    private static boolean blockWorker(CountDownLatch release) {
        try {
            return release.await(BOUND_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * The scenario: one timer turn wakes two tasks on one worker. Whichever runs first
     * blocks until the other has run and a timer due 200 ms later has fired; both can only
     * happen if the idle worker steals the queued task and turns the driver.
     */
    @RepeatedTest(5)
    void queuedWorkIsStolenAndTimersFireWhileAWorkerIsStuck() throws Exception {
        try (KyotoRuntime rt = twoWorkers()) {
            CountDownLatch queuedRan = new CountDownLatch(1);
            CountDownLatch timerFired = new CountDownLatch(1);
            AtomicBoolean first = new AtomicBoolean(true);
            AtomicInteger unblockedInTime = new AtomicInteger();
            ThrowingFunction<Void, Void> firstBlocksSecondReleases = v -> {
                if (first.getAndSet(false)) {
                    if (blockWorker(queuedRan) && blockWorker(timerFired)) {
                        unblockedInTime.incrementAndGet();
                    }
                } else {
                    queuedRan.countDown();
                }
                return null;
            };
            // One deadline for both sleeps, so that one turn of the driver wakes both on one thread.
            List<JoinHandle<Void>> handles = rt.blockOn(rt.spawn(cx -> {
                Instant at = Time.now().plusMillis(100);
                Handle h = Handle.current();
                return Poll.ready(List.of(
                        h.spawn(Time.sleepUntil(at).map(firstBlocksSecondReleases)),
                        h.spawn(Time.sleepUntil(at).map(firstBlocksSecondReleases)),
                        h.spawn(Time.sleepUntil(at.plusMillis(200)).map(v -> {
                            timerFired.countDown();
                            return null;
                        }))));
            }));
            for (JoinHandle<Void> h : handles) {
                rt.blockOn(h);
            }
            assertEquals(1, unblockedInTime.get(),
                    "the stuck task waited the full bound: the queued task or the timer was stalled behind it");
        }
    }

    /**
     * A single task stuck in a poll, nothing queued behind it: the idle worker must still turn the
     * driver, or a timer registered before the stall fires only when the stuck poll returns. The
     * watcher parks until that timer is due, a millisecond more, so it fires nearly on time; the
     * bound here is loose, for a loaded machine (docs/reliability.md has the lateness measured).
     */
    @RepeatedTest(5)
    void theIdleWorkerTurnsTheDriverWhileTheOnlyBusyWorkerIsStuck() throws Exception {
        try (KyotoRuntime rt = twoWorkers()) {
            CountDownLatch timerFired = new CountDownLatch(1);
            long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(250);
            AtomicLong firedAt = new AtomicLong();
            JoinHandle<Void> timer = rt.spawn(Time.sleep(Duration.ofMillis(250)).map(v -> {
                firedAt.set(System.nanoTime());
                timerFired.countDown();
                return null;
            }));
            JoinHandle<Boolean> stuck = rt.spawn(Time.sleep(Duration.ofMillis(50)).map(v -> blockWorker(timerFired)));
            assertTrue(rt.blockOn(stuck), "the timer did not fire while one worker was stuck and the other idle");
            rt.blockOn(timer);
            long lateMillis = TimeUnit.NANOSECONDS.toMillis(firedAt.get() - due);
            assertTrue(lateMillis < 100, "the timer fired " + lateMillis + " ms late behind the stuck worker");
        }
    }
}
