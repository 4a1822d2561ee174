package dev.kyoto.runtime.internal.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.internal.task.Task;
import dev.kyoto.runtime.internal.task.TaskScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link InjectQueue} with real threads: producers pushing single tasks and linked batches
 * without a lock, takers popping one or several, tasks pushed back while others append behind
 * them, and {@code close} racing all of it. Every task is counted: nothing accepted is lost or
 * taken twice, nothing refused ever comes out, and each producer's tasks come out in its order.
 */
class InjectQueueStressTest {
    private static final int PRODUCERS = 3;

    private static final TaskScheduler NOWHERE = new TaskScheduler() {
        @Override
        public void schedule(Task<?> task) {
        }

        @Override
        public void release(Task<?> task) {
        }
    };

    /** Tasks 0..n-1 and the number of each, made before any thread starts and only read afterwards. */
    private static final class Tasks {
        final Task<?>[] all;
        final Map<Task<?>, Integer> ids = new IdentityHashMap<>();

        Tasks(int n) {
            all = new Task<?>[n];
            Async<Void> never = cx -> dev.kyoto.runtime.Poll.pending();
            for (int i = 0; i < n; i++) {
                all[i] = new Task<>(never, NOWHERE);
                ids.put(all[i], i);
            }
        }

        int id(Task<?> t) {
            Integer id = ids.get(t);
            if (id == null) {
                throw new AssertionError("a task that was never pushed came out of the queue: " + t);
            }
            return id;
        }
    }

    /** Producer {@code p}'s tasks are {@code p, p + PRODUCERS, ...}: pushes them, every third as a batch of two. */
    private static void produce(InjectQueue q, Tasks tasks, int p, int perProducer, AtomicIntegerArray refused) {
        int i = 0;
        while (i < perProducer) {
            Task<?> a = tasks.all[p + i * PRODUCERS];
            if (i % 3 == 2 && i + 1 < perProducer) {
                Task<?> b = tasks.all[p + (i + 1) * PRODUCERS];
                a.setQueueNext(b);
                if (!q.pushBatch(a, b, 2)) {
                    a.setQueueNext(null);
                    refused.set(tasks.id(a), 1);
                    refused.set(tasks.id(b), 1);
                }
                i += 2;
            } else {
                if (!q.push(a)) {
                    refused.set(tasks.id(a), 1);
                }
                i++;
            }
        }
    }

    @Test
    void manyProducersOneTakerLoseNothingAndKeepEachProducersOrder() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            int perProducer = 60_000;
            Tasks tasks = new Tasks(PRODUCERS * perProducer);
            InjectQueue q = new InjectQueue();
            AtomicIntegerArray refused = new AtomicIntegerArray(tasks.all.length);
            List<Thread> producers = new ArrayList<>();
            for (int p = 0; p < PRODUCERS; p++) {
                int id = p;
                producers.add(Thread.ofPlatform().start(() -> produce(q, tasks, id, perProducer, refused)));
            }
            int[] lastSeen = {-1, -1, -1};
            int[] seen = new int[tasks.all.length];
            Task<?>[] batch = new Task<?>[7];
            int taken = 0;
            while (taken < tasks.all.length) {
                int n;
                if ((taken & 1) == 0) {
                    Task<?> t = q.pop();
                    n = t == null ? 0 : 1;
                    batch[0] = t;
                } else {
                    n = q.popN(batch, batch.length);
                }
                for (int i = 0; i < n; i++) {
                    int id = tasks.id(batch[i]);
                    assertNull(batch[i].queueNext(), "a popped task still links into the queue");
                    seen[id]++;
                    int producer = id % PRODUCERS;
                    assertTrue(id > lastSeen[producer], "producer " + producer + "'s task " + id + " came out after " + lastSeen[producer]);
                    lastSeen[producer] = id;
                }
                taken += n;
                if (n == 0) {
                    Thread.onSpinWait();
                }
            }
            for (Thread t : producers) {
                t.join();
            }
            for (int i = 0; i < seen.length; i++) {
                assertEquals(1, seen[i], "task " + i + " taken " + seen[i] + " times");
                assertEquals(0, refused.get(i), "an open queue refused task " + i);
            }
            assertTrue(q.isEmpty());
            assertEquals(0, q.length());
            assertNull(q.pop());
        });
    }

    @Test
    void closeRacingProducersAndTakersLosesNothingAndLetsNothingInAfterwards() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            int rounds = 150;
            int perProducer = 2_000;
            Tasks tasks = new Tasks(PRODUCERS * perProducer);
            for (int round = 0; round < rounds; round++) {
                InjectQueue q = new InjectQueue();
                AtomicIntegerArray refused = new AtomicIntegerArray(tasks.all.length);
                AtomicIntegerArray taken = new AtomicIntegerArray(tasks.all.length);
                AtomicBoolean producing = new AtomicBoolean(true);
                CyclicBarrier start = new CyclicBarrier(PRODUCERS + 3);
                List<Thread> threads = new ArrayList<>();
                for (int p = 0; p < PRODUCERS; p++) {
                    int id = p;
                    threads.add(Thread.ofPlatform().start(() -> {
                        await(start);
                        produce(q, tasks, id, perProducer, refused);
                    }));
                }
                Runnable taker = () -> {
                    await(start);
                    Task<?>[] batch = new Task<?>[4];
                    while (producing.get()) {
                        int n = q.popN(batch, batch.length);
                        for (int i = 0; i < n; i++) {
                            taken.incrementAndGet(tasks.id(batch[i]));
                        }
                    }
                };
                Thread takerA = Thread.ofPlatform().start(taker);
                Thread takerB = Thread.ofPlatform().start(taker);
                int closeAfter = (round * 7919) % (PRODUCERS * perProducer);
                await(start);
                while (q.length() < closeAfter && threads.stream().anyMatch(Thread::isAlive)) {
                    Thread.onSpinWait();
                }
                q.close();
                for (Thread t : threads) {
                    t.join();
                }
                producing.set(false);
                takerA.join();
                takerB.join();
                // Shutdown's drain: everything accepted before the close comes out now.
                for (Task<?> t = q.pop(); t != null; t = q.pop()) {
                    taken.incrementAndGet(tasks.id(t));
                }
                assertTrue(q.isEmpty(), "round " + round + ": the closed queue still holds tasks after the drain");
                assertFalse(q.push(tasks.all[0]), "round " + round + ": a closed queue accepted a push");
                for (int i = 0; i < tasks.all.length; i++) {
                    int expected = refused.get(i) == 1 ? 0 : 1;
                    assertEquals(expected, taken.get(i), "round " + round + ": task " + i + " (refused: "
                            + (refused.get(i) == 1) + ") was taken " + taken.get(i) + " times");
                }
                for (Task<?> t : tasks.all) {
                    t.setQueueNext(null);
                }
            }
        });
    }

    @Test
    void tasksPushedBackWhileOthersAppendAreNeitherLostNorDuplicated() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            int perProducer = 20_000;
            int trips = 3;
            Tasks tasks = new Tasks(PRODUCERS * perProducer);
            InjectQueue q = new InjectQueue();
            AtomicIntegerArray refused = new AtomicIntegerArray(tasks.all.length);
            AtomicIntegerArray tripsDone = new AtomicIntegerArray(tasks.all.length);
            List<Thread> producers = new ArrayList<>();
            for (int p = 0; p < PRODUCERS; p++) {
                int id = p;
                producers.add(Thread.ofPlatform().start(() -> produce(q, tasks, id, perProducer, refused)));
            }
            AtomicIntegerArray finished = new AtomicIntegerArray(1);
            AtomicReference<String> failure = new AtomicReference<>();
            Runnable taker = () -> {
                while (finished.get(0) < tasks.all.length && failure.get() == null) {
                    Task<?> t = q.pop();
                    if (t == null) {
                        Thread.onSpinWait();
                        continue;
                    }
                    int id = tasks.id(t);
                    if (tripsDone.incrementAndGet(id) < trips) {
                        if (!q.push(t)) {
                            failure.set("an open queue refused task " + id + " pushed back");
                        }
                    } else {
                        finished.incrementAndGet(0);
                    }
                }
            };
            Thread a = Thread.ofPlatform().start(taker);
            Thread b = Thread.ofPlatform().start(taker);
            for (Thread t : producers) {
                t.join();
            }
            a.join();
            b.join();
            assertNull(failure.get());
            for (int i = 0; i < tasks.all.length; i++) {
                assertEquals(trips, tripsDone.get(i), "task " + i);
            }
            assertTrue(q.isEmpty());
            assertEquals(0, q.length());
        });
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
