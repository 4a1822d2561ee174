package dev.kyoto.runtime.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Reader and writer tasks on a multi-thread runtime. Writers increment a plain counter with a
 * read, a reschedule and a write; readers check that no writer holds the lock with them. A writer
 * overlapping anyone loses increments or is seen by a reader.
 */
class RwLockStressTest {

    @Test
    void writersExcludeEveryoneAndNoIncrementIsLost() {
        int writers = 4;
        int readers = 8;
        int rounds = 20_000;
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            RwLock<Integer> counter = new RwLock<>(0, 4);
            AtomicInteger writing = new AtomicInteger();
            AtomicInteger reading = new AtomicInteger();
            AtomicInteger maxReading = new AtomicInteger();
            List<String> errors = Collections.synchronizedList(new ArrayList<>());
            long start = System.nanoTime();
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(4).build()) {
                List<JoinHandle<Void>> handles = new ArrayList<>();
                for (int t = 0; t < writers; t++) {
                    handles.add(rt.spawn(new Writes(counter, rounds, writing, reading, errors)));
                }
                for (int t = 0; t < readers; t++) {
                    handles.add(rt.spawn(new Reads(counter, rounds, writing, reading, maxReading, errors)));
                }
                for (JoinHandle<Void> h : handles) {
                    rt.blockOn(h);
                }
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(List.of(), errors);
            try (RwLock.ReadGuard<Integer> g = counter.tryRead().orElseThrow()) {
                assertEquals(writers * rounds, g.get());
            }
            assertTrue(maxReading.get() <= 4, "more readers at once than maxReaders: " + maxReading.get());
            assertEquals(0, counter.waiterCount());
            System.out.printf("RwLock stress: %d writes and %d reads by %d tasks in %d ms, at most %d readers at once%n",
                    writers * rounds, readers * rounds, writers + readers, millis, maxReading.get());
        });
    }

    /** write(), read the counter, every 8th round reschedule while holding, write it back + 1. */
    private static final class Writes implements Async<Void> {
        private final RwLock<Integer> counter;
        private final int rounds;
        private final AtomicInteger writing;
        private final AtomicInteger reading;
        private final List<String> errors;
        private int round;
        private Async<RwLock.WriteGuard<Integer>> locking;
        private RwLock.WriteGuard<Integer> guard;
        private int read;

        Writes(RwLock<Integer> counter, int rounds, AtomicInteger writing, AtomicInteger reading, List<String> errors) {
            this.counter = counter;
            this.rounds = rounds;
            this.writing = writing;
            this.reading = reading;
            this.errors = errors;
        }

        @Override
        public Poll<Void> poll(Context cx) throws Exception {
            for (;;) {
                if (guard == null) {
                    if (round == rounds) {
                        return Poll.ready(null);
                    }
                    if (locking == null) {
                        locking = counter.write();
                    }
                    Poll<RwLock.WriteGuard<Integer>> p = locking.poll(cx);
                    if (p.isPending()) {
                        return Poll.pending();
                    }
                    locking = null;
                    guard = p.value();
                    if (writing.incrementAndGet() != 1 || reading.get() != 0) {
                        errors.add("a writer got the lock while others held it");
                    }
                    read = guard.get();
                    if (round % 8 == 0) {
                        cx.waker().wake();
                        return Poll.pending();
                    }
                }
                guard.set(read + 1);
                writing.decrementAndGet();
                guard.close();
                guard = null;
                round++;
            }
        }
    }

    /** read(), check no writer is in, every 4th round reschedule while holding, close. */
    private static final class Reads implements Async<Void> {
        private final RwLock<Integer> counter;
        private final int rounds;
        private final AtomicInteger writing;
        private final AtomicInteger reading;
        private final AtomicInteger maxReading;
        private final List<String> errors;
        private int round;
        private Async<RwLock.ReadGuard<Integer>> locking;
        private RwLock.ReadGuard<Integer> guard;

        Reads(RwLock<Integer> counter, int rounds, AtomicInteger writing, AtomicInteger reading, AtomicInteger maxReading,
                List<String> errors) {
            this.counter = counter;
            this.rounds = rounds;
            this.writing = writing;
            this.reading = reading;
            this.maxReading = maxReading;
            this.errors = errors;
        }

        @Override
        public Poll<Void> poll(Context cx) throws Exception {
            for (;;) {
                if (guard == null) {
                    if (round == rounds) {
                        return Poll.ready(null);
                    }
                    if (locking == null) {
                        locking = counter.read();
                    }
                    Poll<RwLock.ReadGuard<Integer>> p = locking.poll(cx);
                    if (p.isPending()) {
                        return Poll.pending();
                    }
                    locking = null;
                    guard = p.value();
                    maxReading.accumulateAndGet(reading.incrementAndGet(), Math::max);
                    if (writing.get() != 0) {
                        errors.add("a reader got the lock while a writer held it");
                    }
                    guard.get();
                    if (round % 4 == 0) {
                        cx.waker().wake();
                        return Poll.pending();
                    }
                }
                reading.decrementAndGet();
                guard.close();
                guard = null;
                round++;
            }
        }
    }
}
