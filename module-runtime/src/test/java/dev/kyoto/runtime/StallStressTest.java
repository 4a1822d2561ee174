package dev.kyoto.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.time.Time;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * With all workers but one stuck in long polls, the one left runs everything else: the tasks
 * queued behind each stuck poll (but the one in its LIFO slot, which no other worker may take, as
 * in Tokio), the remote spawns, and the timers. Many rounds, with real threads; a stall fails the
 * round by its bound instead of hanging the build.
 */
class StallStressTest {
    private static final long BOUND_SECONDS = 30;
    /** Rounds per worker count: 30 in the default build, 500 under {@code -P soak}. */
    private static final int ROUNDS = Boolean.getBoolean("kyoto.soak") ? 500 : 30;
    private static final int CHILDREN = 8;
    private static final int OUTSIDERS = 20;

    @ParameterizedTest(name = "{0} workers")
    @ValueSource(ints = {2, 3, 4})
    void everythingButTheStuckPollsRunsWhileOneWorkerIsFree(int workers) throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(workers).enableTime()
                .threadName("stall" + workers).build()) {
            for (int round = 0; round < ROUNDS; round++) {
                runRound(rt, workers - 1, round);
            }
        }
    }

    private static void runRound(KyotoRuntime rt, int stuck, int round) throws Exception {
        CountDownLatch inPoll = new CountDownLatch(stuck);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(stuck * CHILDREN + OUTSIDERS);
        List<JoinHandle<Boolean>> stuckers = new ArrayList<>();
        for (int i = 0; i < stuck; i++) {
            stuckers.add(rt.spawn(cx -> {
                Handle h = Handle.current();
                for (int c = 0; c < CHILDREN; c++) {
                    h.spawn(child(done));
                }
                // The last spawn takes the LIFO slot, which only this worker may run: not awaited.
                h.spawn(Async.ready(null));
                inPoll.countDown();
                return Poll.ready(release.await(3 * BOUND_SECONDS, TimeUnit.SECONDS));
            }));
        }
        assertTrue(inPoll.await(BOUND_SECONDS, TimeUnit.SECONDS), "round " + round + ": the stuck tasks never ran");
        for (int i = 0; i < OUTSIDERS; i++) {
            rt.spawn(child(done));
        }
        boolean allRan = done.await(BOUND_SECONDS, TimeUnit.SECONDS);
        release.countDown();
        assertTrue(allRan, "round " + round + ": " + done.getCount() + " tasks stalled behind " + stuck + " stuck polls");
        for (JoinHandle<Boolean> h : stuckers) {
            assertTrue(rt.blockOn(h));
        }
    }

    /** A task that needs both the scheduler (yields, a spawn) and the driver (a timer). */
    private static Async<Void> child(CountDownLatch done) {
        long micros = ThreadLocalRandom.current().nextLong(0, 3_000);
        return Async.yieldNow()
                .then(v -> Time.sleep(Duration.ofNanos(micros * 1_000)))
                .then(v -> Handle.current().spawn(Async.yieldNow()))
                .map(v -> {
                    done.countDown();
                    return null;
                });
    }
}
