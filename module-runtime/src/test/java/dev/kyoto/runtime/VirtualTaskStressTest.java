package dev.kyoto.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kyoto.runtime.sync.Oneshot;
import dev.kyoto.runtime.sync.Semaphore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Races around {@code await()} and virtual tasks, many times over with real threads: a wake
 * against the park it must end, an abort against the body's end, a shutdown against spawns. A
 * lost wake or a lost abort shows as a hang (the timeout), a wrong outcome as a failure.
 */
@Timeout(300)
class VirtualTaskStressTest {

    @Test
    void aWakeFromAnotherThreadNeverGetsLostAgainstThePark() throws Exception {
        int rounds = 20_000;
        int threads = 4;
        try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(2).build()) {
            List<JoinHandle<Integer>> bodies = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                bodies.add(rt.spawnVirtual(() -> {
                    int received = 0;
                    for (int i = 0; i < rounds / threads; i++) {
                        Oneshot.Channel<Integer> ch = Oneshot.channel();
                        // A platform thread sends while this one polls, registers and parks.
                        Thread sender = Thread.ofPlatform().start(() -> ch.sender().send(1));
                        received += ch.receiver().await();
                        sender.join();
                    }
                    return received;
                }));
            }
            int total = 0;
            for (JoinHandle<Integer> b : bodies) {
                total += rt.blockOn(b);
            }
            assertEquals(rounds, total);
        }
    }

    @Test
    void anAbortRacingTheBodysEndEitherCancelsOrLetsTheValueThroughAndNeverLeaks() throws Exception {
        int rounds = 3_000;
        Semaphore permits = new Semaphore(rounds);
        AtomicInteger unwound = new AtomicInteger();
        int cancelled = 0;
        try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(2).build()) {
            for (int i = 0; i < rounds; i++) {
                int steps = ThreadLocalRandom.current().nextInt(4);
                JoinHandle<Integer> body = rt.spawnVirtual(() -> {
                    try (Semaphore.Permit p = permits.acquire().await()) {
                        for (int s = 0; s < steps; s++) {
                            Async.yieldNow().await();
                        }
                        return steps;
                    } finally {
                        unwound.incrementAndGet();
                    }
                });
                if (ThreadLocalRandom.current().nextBoolean()) {
                    Thread.onSpinWait();
                }
                body.abort();
                try {
                    assertEquals(steps, rt.blockOn(body));
                } catch (CancellationException e) {
                    cancelled++;
                }
            }
            assertEquals(rounds, permits.availablePermits(), "every permit was given back, aborted or not");
        }
        assertTrue(unwound.get() <= rounds);
        assertTrue(cancelled > 0, "no abort landed in " + rounds + " rounds");
    }

    @Test
    void spawnsRacingAShutdownEachEndRunOrCancelledAndNoBodyOutlivesTheClose() throws Exception {
        for (int round = 0; round < 100; round++) {
            KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(2).build();
            Semaphore never = new Semaphore(0);
            AtomicInteger running = new AtomicInteger();
            List<JoinHandle<Void>> handles = new ArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            Thread spawner = Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 50; i++) {
                    handles.add(rt.spawnVirtual(() -> {
                        running.incrementAndGet();
                        try {
                            never.acquire().await();
                        } finally {
                            running.decrementAndGet();
                        }
                        return null;
                    }));
                }
            });
            go.countDown();
            rt.close();
            spawner.join();
            for (JoinHandle<Void> h : handles) {
                try {
                    h.toCompletableFuture().join();
                    fail("a body that awaits a semaphore with no permits completed");
                } catch (CancellationException expected) {
                    // cancelled by the shutdown, or spawned after it
                }
            }
            assertEquals(0, running.get(), "a body was still running after close() and its spawner returned");
        }
    }
}
