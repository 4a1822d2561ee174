package dev.kyoto.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Many tasks, each parked and then woken from other threads, with real threads and no sleeps. */
class WakeStressTest {
    private static final int TASKS = 100_000;
    private static final int WAKER_THREADS = 2;

    @ParameterizedTest
    @MethodSource("dev.kyoto.runtime.Flavours#both")
    void everyTaskWokenFromAnotherThreadCompletes(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            LinkedBlockingQueue<Waker> toWake = new LinkedBlockingQueue<>();
            AtomicInteger completed = new AtomicInteger();
            List<Thread> wakers = new ArrayList<>();
            for (int i = 0; i < WAKER_THREADS; i++) {
                wakers.add(Thread.ofPlatform().name("waker-" + i).start(() -> {
                    try {
                        for (Waker w = toWake.take(); w != Waker.noop(); w = toWake.take()) {
                            w.wake();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            try (KyotoRuntime rt = flavour.get()) {
                List<JoinHandle<Integer>> handles = new ArrayList<>(TASKS);
                for (int i = 0; i < TASKS; i++) {
                    int id = i;
                    handles.add(rt.spawn(new Async<>() {
                        private boolean parked;

                        @Override
                        public Poll<Integer> poll(Context cx) {
                            if (!parked) {
                                parked = true;
                                toWake.add(cx.waker());
                                return Poll.pending();
                            }
                            completed.incrementAndGet();
                            return Poll.ready(id);
                        }
                    }));
                }
                for (int i = 0; i < TASKS; i++) {
                    assertEquals(i, rt.blockOn(handles.get(i)));
                }
            } finally {
                for (int i = 0; i < WAKER_THREADS; i++) {
                    toWake.add(Waker.noop());
                }
                for (Thread t : wakers) {
                    t.join();
                }
            }
            assertEquals(TASKS, completed.get());
        });
    }

    @ParameterizedTest
    @MethodSource("dev.kyoto.runtime.Flavours#both")
    void concurrentWakesOfOneTaskNeverLoseTheLastOne(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            int rounds = 20_000;
            try (KyotoRuntime rt = flavour.get()) {
                AtomicInteger target = new AtomicInteger();
                java.util.concurrent.atomic.AtomicReference<Waker> waker = new java.util.concurrent.atomic.AtomicReference<>();
                JoinHandle<Integer> task = rt.spawn(cx -> {
                    waker.set(cx.waker());
                    int t = target.get();
                    return t >= rounds ? Poll.ready(t) : Poll.pending();
                });
                Thread bumper = Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < rounds; i++) {
                        Waker w;
                        while ((w = waker.get()) == null) {
                            Thread.onSpinWait();
                        }
                        target.incrementAndGet();
                        w.wake();
                    }
                });
                assertEquals(rounds, rt.blockOn(task));
                bumper.join();
            }
        });
    }
}
