package dev.kyoto.runtime.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A cancel racing waits, wait cancellations and child creation on real threads: every wait
 * completes (a lost wake-up fails at a deadline), and no waiter or child is left in the tree.
 */
class CancellationTokenStressTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final int ITERATIONS = 10_000;

    @Test
    void aCancelRacingWaitsChildrenAndAbandonedWaitsLosesNothing() {
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            AtomicInteger pendingWhenAbandoned = new AtomicInteger();
            try {
                for (int i = 0; i < ITERATIONS; i++) {
                    CancellationToken root = new CancellationToken();
                    CyclicBarrier go = new CyclicBarrier(5);
                    List<Future<?>> actors = List.of(
                            pool.submit(() -> {
                                go.await();
                                jitter();
                                return Parking.await(root.cancelled(), LIMIT);
                            }),
                            pool.submit(() -> {
                                go.await();
                                jitter();
                                CancellationToken child = root.child();
                                Parking.await(child.cancelled(), LIMIT);
                                assertTrue(child.isCancelled());
                                return null;
                            }),
                            pool.submit(() -> {
                                go.await();
                                CancellationToken own = root.child();
                                CancellationToken grandchild = root.child().child();
                                jitter();
                                own.cancel();
                                Parking.await(grandchild.cancelled(), LIMIT);
                                return null;
                            }),
                            pool.submit(() -> {
                                go.await();
                                jitter();
                                Async<Void> abandoned = root.cancelled();
                                if (abandoned.poll(new Context(() -> { })).isPending()) {
                                    pendingWhenAbandoned.incrementAndGet();
                                    abandoned.cancel();
                                }
                                return null;
                            }));
                    go.await();
                    jitter();
                    root.cancel();
                    for (Future<?> f : actors) {
                        f.get(LIMIT.toSeconds(), TimeUnit.SECONDS);
                    }
                    assertEquals(0, root.waiterCount(), "a wait was left linked in iteration " + i);
                    assertEquals(0, root.retainedChildren(), "a child was left in the parent in iteration " + i);
                }
            } finally {
                pool.shutdownNow();
            }
            // Not a pass condition, but the race is only a race if both outcomes happen.
            System.out.printf("CancellationToken race: %d of %d abandoned waits were pending when abandoned%n",
                    pendingWhenAbandoned.get(), ITERATIONS);
        });
    }

    /**
     * Children made from many threads while a plain thread cancels their parent: each is
     * cancelled, either with the parent or at birth, and each task waiting on one completes.
     */
    @ParameterizedTest
    @MethodSource("dev.kyoto.runtime.task.Flavours#both")
    void tasksWaitingOnFreshChildrenAllCompleteWhenAPlainThreadCancels(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            try (KyotoRuntime rt = flavour.get()) {
                for (int round = 0; round < 300; round++) {
                    CancellationToken root = new CancellationToken();
                    List<JoinHandle<Void>> waiting = new ArrayList<>();
                    for (int t = 0; t < 20; t++) {
                        waiting.add(rt.spawn(Async.ready(null).then(v -> root.child().child().cancelled())));
                    }
                    Thread canceller = Thread.ofPlatform().start(() -> {
                        jitter();
                        root.cancel();
                    });
                    for (JoinHandle<Void> h : waiting) {
                        rt.blockOn(h);
                    }
                    canceller.join();
                    assertEquals(0, root.retainedChildren());
                }
            }
        });
    }

    private static void jitter() {
        for (int i = ThreadLocalRandom.current().nextInt(200); i >= 0; i--) {
            Thread.onSpinWait();
        }
    }
}
