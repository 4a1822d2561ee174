package dev.kyoto.runtime.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Tasks on a multi-thread runtime increment a plain counter under the mutex with a read, a
 * reschedule and a write: any two holders at once would lose increments.
 */
class MutexStressTest {

    @Test
    void noIncrementIsLostAndNoTwoTasksHoldTheLockAtOnce() {
        int tasks = 8;
        int rounds = 50_000;
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Mutex<Integer> counter = new Mutex<>(0);
            AtomicInteger holding = new AtomicInteger();
            AtomicInteger maxHolding = new AtomicInteger();
            long start = System.nanoTime();
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(4).build()) {
                List<JoinHandle<Void>> handles = new ArrayList<>();
                for (int t = 0; t < tasks; t++) {
                    handles.add(rt.spawn(new Increments(counter, rounds, holding, maxHolding)));
                }
                for (JoinHandle<Void> h : handles) {
                    rt.blockOn(h);
                }
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            try (Mutex.Guard<Integer> g = counter.tryLock().orElseThrow()) {
                assertEquals(tasks * rounds, g.get());
            }
            assertEquals(1, maxHolding.get());
            assertEquals(0, counter.waiterCount());
            System.out.printf("Mutex stress: %d locked increments by %d tasks in %d ms%n", tasks * rounds, tasks, millis);
        });
    }

    /** Lock, read, every 8th round reschedule while holding, write, unlock; {@code rounds} times. */
    private static final class Increments implements Async<Void> {
        private final Mutex<Integer> counter;
        private final int rounds;
        private final AtomicInteger holding;
        private final AtomicInteger maxHolding;
        private int round;
        private Async<Mutex.Guard<Integer>> locking;
        private Mutex.Guard<Integer> guard;
        private int read;

        Increments(Mutex<Integer> counter, int rounds, AtomicInteger holding, AtomicInteger maxHolding) {
            this.counter = counter;
            this.rounds = rounds;
            this.holding = holding;
            this.maxHolding = maxHolding;
        }

        @Override
        public Poll<Void> poll(Context cx) throws Exception {
            for (;;) {
                if (guard == null) {
                    if (round == rounds) {
                        return Poll.ready(null);
                    }
                    if (locking == null) {
                        locking = counter.lock();
                    }
                    Poll<Mutex.Guard<Integer>> p = locking.poll(cx);
                    if (p.isPending()) {
                        return Poll.pending();
                    }
                    locking = null;
                    guard = p.value();
                    maxHolding.accumulateAndGet(holding.incrementAndGet(), Math::max);
                    read = guard.get();
                    if (round % 8 == 0) {
                        cx.waker().wake();
                        return Poll.pending();
                    }
                }
                guard.set(read + 1);
                holding.decrementAndGet();
                guard.close();
                guard = null;
                round++;
            }
        }
    }
}
