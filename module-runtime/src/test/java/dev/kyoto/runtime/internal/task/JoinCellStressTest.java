package dev.kyoto.runtime.internal.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Several joiners race the completion of one handle, on real threads, many times over: every
 * joiner must get the outcome, whether it registered before the completion, during it or after,
 * whether it polled once or again and again, and whatever a joiner that detaches meanwhile does.
 */
class JoinCellStressTest {
    private static final int ROUNDS = 20_000;
    private static final int JOINERS = 3;

    @Test
    void everyJoinerRacingTheCompletionFinishes() {
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            List<BlockingTask<Integer>> cells = new ArrayList<>(ROUNDS);
            for (int i = 0; i < ROUNDS; i++) {
                int value = i;
                cells.add(new BlockingTask<>(() -> value));
            }
            // Joiners, a detacher and the completer start each round together.
            CyclicBarrier start = new CyclicBarrier(JOINERS + 2);
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            AtomicInteger joined = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int j = 0; j < JOINERS; j++) {
                int repeats = j + 1;
                threads.add(Thread.ofPlatform().name("joiner-" + j).start(() -> {
                    try {
                        for (int i = 0; i < ROUNDS; i++) {
                            start.await(30, TimeUnit.SECONDS);
                            Semaphore woken = new Semaphore(0);
                            Context cx = new Context(woken::release);
                            BlockingTask<Integer> cell = cells.get(i);
                            for (;;) {
                                Poll<Integer> p = null;
                                // Polling again with the same waker must not make it wait twice.
                                for (int k = 0; k < repeats && (p == null || p.isPending()); k++) {
                                    p = cell.poll(cx);
                                }
                                if (p.isReady()) {
                                    assertEquals(i, p.value());
                                    joined.incrementAndGet();
                                    break;
                                }
                                if (!woken.tryAcquire(10, TimeUnit.SECONDS)) {
                                    failures.add("round " + i + ": " + Thread.currentThread().getName()
                                            + " was never woken although the handle "
                                            + (cell.isFinished() ? "finished" : "did not finish"));
                                    return;
                                }
                            }
                        }
                    } catch (Throwable t) {
                        failures.add(Thread.currentThread().getName() + ": " + t);
                    }
                }));
            }
            threads.add(Thread.ofPlatform().name("detacher").start(() -> {
                try {
                    Context cx = new Context(() -> { });
                    for (int i = 0; i < ROUNDS; i++) {
                        start.await(30, TimeUnit.SECONDS);
                        BlockingTask<Integer> cell = cells.get(i);
                        cell.poll(cx);
                        cell.cancel();
                    }
                } catch (Throwable t) {
                    failures.add("detacher: " + t);
                }
            }));
            threads.add(Thread.ofPlatform().name("completer").start(() -> {
                try {
                    for (int i = 0; i < ROUNDS; i++) {
                        start.await(30, TimeUnit.SECONDS);
                        for (int spin = ThreadLocalRandom.current().nextInt(64); spin > 0; spin--) {
                            Thread.onSpinWait();
                        }
                        cells.get(i).run();
                    }
                } catch (Throwable t) {
                    failures.add("completer: " + t);
                }
            }));
            for (Thread t : threads) {
                // A thread that gave up breaks the barrier for the others within its timeout.
                t.join();
            }
            assertEquals(List.of(), List.copyOf(failures));
            assertEquals(ROUNDS * JOINERS, joined.get());
        });
    }
}
