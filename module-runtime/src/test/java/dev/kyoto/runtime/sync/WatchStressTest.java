package dev.kyoto.runtime.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * A plain thread publishes increasing values while tasks follow them with changed(): each sees
 * strictly increasing values and, without a lost wake-up, the last one. Run free, receivers skip
 * values; in lockstep, each is woken by every send.
 */
class WatchStressTest {

    @Test
    void everyReceiverFollowsToTheLastValueSeeingOnlyNewerOnes() {
        int values = 200_000;
        int receivers = 8;
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Watch.Channel<Integer> ch = Watch.channel(0);
            long start = System.nanoTime();
            long seen = 0;
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(4).build()) {
                List<JoinHandle<Integer>> handles = new ArrayList<>();
                for (int r = 0; r < receivers; r++) {
                    handles.add(rt.spawn(follow(ch.sender().subscribe(), 0, 0, values)));
                }
                Thread sender = Thread.ofPlatform().start(() -> {
                    for (int v = 1; v <= values; v++) {
                        ch.sender().send(v);
                    }
                });
                for (JoinHandle<Integer> h : handles) {
                    seen += rt.blockOn(h);
                }
                sender.join();
            }
            assertEquals(0, ch.receiver().waiterCount());
            System.out.printf("Watch stress: %d values to %d receivers, %d changes seen, in %d ms%n",
                    values, receivers, seen, (System.nanoTime() - start) / 1_000_000);
        });
    }

    /**
     * The sender waits until every receiver has seen a value before it sends the next, so each
     * receiver is woken by every send; a wake-up lost once hangs the test.
     */
    @Test
    void inLockstepEveryReceiverIsWokenByEverySend() {
        int values = 20_000;
        int receivers = 8;
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Watch.Channel<Integer> ch = Watch.channel(0);
            CountDownLatch[] seen = new CountDownLatch[values + 1];
            for (int v = 0; v <= values; v++) {
                seen[v] = new CountDownLatch(receivers);
            }
            long start = System.nanoTime();
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(4).build()) {
                List<JoinHandle<Integer>> handles = new ArrayList<>();
                for (int r = 0; r < receivers; r++) {
                    handles.add(rt.spawn(acknowledge(ch.sender().subscribe(), seen, 0, values)));
                }
                Thread sender = Thread.ofPlatform().start(() -> {
                    try {
                        for (int v = 1; v <= values; v++) {
                            ch.sender().send(v);
                            seen[v].await();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                for (JoinHandle<Integer> h : handles) {
                    assertEquals(values, rt.blockOn(h));
                }
                sender.join();
            }
            System.out.printf("Watch lockstep: %d values, each seen by all %d receivers, in %d ms%n",
                    values, receivers, (System.nanoTime() - start) / 1_000_000);
        });
    }

    private static Async<Integer> acknowledge(Watch.Receiver<Integer> rx, CountDownLatch[] seen, int previous, int last) {
        if (previous == last) {
            return Async.ready(previous);
        }
        return rx.changed().then(v -> {
            if (v != previous + 1) {
                throw new AssertionError("saw " + v + " after " + previous + " although the sender waited");
            }
            seen[v].countDown();
            return acknowledge(rx, seen, v, last);
        });
    }

    /** Waits for changes until {@code last}; yields how many changes it saw. */
    private static Async<Integer> follow(Watch.Receiver<Integer> rx, int previous, int changes, int last) {
        if (previous == last) {
            return Async.ready(changes);
        }
        return rx.changed().then(v -> {
            if (v <= previous) {
                throw new AssertionError("saw " + v + " after " + previous);
            }
            return follow(rx, v, changes + 1, last);
        });
    }
}
