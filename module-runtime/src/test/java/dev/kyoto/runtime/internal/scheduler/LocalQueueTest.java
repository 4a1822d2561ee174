package dev.kyoto.runtime.internal.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.internal.task.Task;
import dev.kyoto.runtime.internal.task.TaskScheduler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The local run queue: owner FIFO, overflow of the newer half to the inject queue, steals of
 * half, index wrap-around against a model, and two stress tests with real threads (no sleeps)
 * that count every task exactly once.
 */
class LocalQueueTest {
    private static final int CAP = LocalQueue.CAPACITY;

    private static final TaskScheduler NOOP = new TaskScheduler() {
        @Override
        public void schedule(Task<?> task) {
        }

        @Override
        public void release(Task<?> task) {
        }
    };

    private static Task<?> task(int i) {
        return new Task<>(Async.ready(i), NOOP);
    }

    private static Task<?>[] tasks(int n) {
        Task<?>[] ts = new Task<?>[n];
        for (int i = 0; i < n; i++) {
            ts[i] = task(i);
        }
        return ts;
    }

    /** xorshift: deterministic, allocation-free, one per thread. */
    private static final class Rng {
        private long x;

        Rng(long seed) {
            x = seed | 1;
        }

        int next() {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            return (int) (x >>> 33);
        }
    }

    // ---------------------------------------------------------------- owner

    @Test
    void ownerPopsInFifoOrderAndLengthsTrack() {
        LocalQueue q = new LocalQueue();
        InjectQueue inject = new InjectQueue();
        assertNull(q.pop());
        assertTrue(q.isEmpty());
        assertEquals(CAP, q.remainingSlots());

        Task<?>[] ts = tasks(10);
        for (int i = 0; i < ts.length; i++) {
            q.pushBackOrOverflow(ts[i], inject);
            assertEquals(i + 1, q.len());
            assertEquals(CAP - i - 1, q.remainingSlots());
        }
        for (int i = 0; i < ts.length; i++) {
            assertSame(ts[i], q.pop());
            assertEquals(ts.length - i - 1, q.len());
            assertEquals(CAP - (ts.length - i - 1), q.remainingSlots());
        }
        assertNull(q.pop());
        assertTrue(q.isEmpty());
        assertTrue(inject.isEmpty());
        assertEquals(0, q.overflowCount());
    }

    @Test
    void fits256OneAtATimeRepeatedly() {
        LocalQueue q = new LocalQueue();
        InjectQueue inject = new InjectQueue();
        for (int round = 0; round < 3; round++) {
            Task<?>[] ts = tasks(CAP);
            for (Task<?> t : ts) {
                q.pushBackOrOverflow(t, inject);
            }
            assertEquals(CAP, q.len());
            assertEquals(0, q.remainingSlots());
            for (Task<?> t : ts) {
                assertSame(t, q.pop());
            }
            assertNull(q.pop());
        }
        assertTrue(inject.isEmpty());
        assertEquals(0, q.overflowCount());
    }

    @Test
    void pushBackFitsInChunksAndRefusesWhatDoesNotFit() {
        LocalQueue q = new LocalQueue();
        Task<?>[] ts = tasks(CAP);
        int pushed = 0;
        while (pushed < CAP) {
            int n = Math.min(10, CAP - pushed);
            q.pushBack(ts, pushed, n);
            pushed += n;
            assertEquals(pushed, q.len());
        }
        assertEquals(0, q.remainingSlots());
        assertThrows(IllegalStateException.class, () -> q.pushBack(new Task<?>[] {task(-1)}, 0, 1));
        assertEquals(CAP, q.len());
        for (Task<?> t : ts) {
            assertSame(t, q.pop());
        }
        assertNull(q.pop());

        q.pushBack(ts, 0, 0);
        assertTrue(q.isEmpty());
    }

    // ---------------------------------------------------------------- overflow

    @Test
    void overflowMovesTheNewerHalfAndTheNewTaskToInject() {
        LocalQueue q = new LocalQueue();
        InjectQueue inject = new InjectQueue();
        Task<?>[] ts = tasks(CAP + 1);
        for (Task<?> t : ts) {
            q.pushBackOrOverflow(t, inject);
        }
        assertEquals(1, q.overflowCount());
        assertEquals(CAP / 2 + 1, inject.length());
        assertEquals(CAP / 2, q.len());
        assertEquals(CAP / 2, q.remainingSlots());

        // Tokio keeps the older half local: a batch just pulled from inject cannot bounce back.
        for (int i = CAP / 2; i <= CAP; i++) {
            assertSame(ts[i], inject.pop(), "inject position " + i);
        }
        assertNull(inject.pop());
        for (int i = 0; i < CAP / 2; i++) {
            assertSame(ts[i], q.pop(), "local position " + i);
        }
        assertNull(q.pop());
    }

    @Test
    void overflowAfterTheRingWrappedKeepsOrder() {
        LocalQueue q = new LocalQueue();
        InjectQueue inject = new InjectQueue();
        for (Task<?> t : tasks(100)) {
            q.pushBackOrOverflow(t, inject);
            assertSame(t, q.pop());
        }
        Task<?>[] ts = tasks(CAP + 1 + CAP / 2);
        for (Task<?> t : ts) {
            q.pushBackOrOverflow(t, inject);
        }
        // The first overflow left 128 local; 128 more pushes filled the ring again without a second one.
        assertEquals(1, q.overflowCount());
        assertEquals(CAP, q.len());
        for (int i = CAP / 2; i <= CAP; i++) {
            assertSame(ts[i], inject.pop());
        }
        for (int i = 0; i < CAP / 2; i++) {
            assertSame(ts[i], q.pop());
        }
        for (int i = CAP + 1; i < ts.length; i++) {
            assertSame(ts[i], q.pop());
        }
        assertNull(q.pop());
    }

    @Test
    void overflowIntoAClosedInjectQueueCancelsWhatItCannotQueueAndStaysConsistent() {
        LocalQueue q = new LocalQueue();
        InjectQueue inject = new InjectQueue();
        inject.close();
        Task<?>[] ts = tasks(CAP + 1);
        for (Task<?> t : ts) {
            q.pushBackOrOverflow(t, inject);
        }
        assertEquals(1, q.overflowCount());
        assertTrue(inject.isEmpty());
        for (int i = CAP / 2; i <= CAP; i++) {
            assertTrue(ts[i].isFinished(), "task " + i + " was neither queued nor cancelled");
        }
        assertEquals(CAP / 2, q.len());
        assertEquals(CAP / 2, q.remainingSlots());
        Task<?> more = task(-1);
        q.pushBackOrOverflow(more, inject);
        for (int i = 0; i < CAP / 2; i++) {
            assertSame(ts[i], q.pop());
        }
        assertSame(more, q.pop());
        assertNull(q.pop());
    }

    // ---------------------------------------------------------------- steal

    @Test
    void stealTakesHalfOfFourAndReturnsTheLastMoved() {
        LocalQueue src = new LocalQueue();
        LocalQueue dst = new LocalQueue();
        InjectQueue inject = new InjectQueue();
        Task<?>[] ts = tasks(4);
        for (Task<?> t : ts) {
            src.pushBackOrOverflow(t, inject);
        }
        assertSame(ts[1], src.stealInto(dst));
        assertEquals(1, dst.len());
        assertEquals(2, src.len());
        assertEquals(1, dst.stealOperations());
        assertEquals(2, dst.stolenTasks());
        assertEquals(0, src.stealOperations());
        assertSame(ts[0], dst.pop());
        assertNull(dst.pop());
        assertSame(ts[2], src.pop());
        assertSame(ts[3], src.pop());
        assertNull(src.pop());
    }

    @Test
    void stealOfSevenMovesTheCeilingHalf() {
        LocalQueue src = new LocalQueue();
        LocalQueue dst = new LocalQueue();
        InjectQueue inject = new InjectQueue();
        Task<?>[] ts = tasks(7);
        for (Task<?> t : ts) {
            src.pushBackOrOverflow(t, inject);
        }
        assertSame(ts[3], src.stealInto(dst));
        assertEquals(3, dst.len());
        assertEquals(3, src.len());
        assertEquals(4, dst.stolenTasks());
        for (int i = 0; i < 3; i++) {
            assertSame(ts[i], dst.pop());
        }
        for (int i = 4; i < 7; i++) {
            assertSame(ts[i], src.pop());
        }
        assertNull(dst.pop());
        assertNull(src.pop());
    }

    @Test
    void stealOfOneReturnsItAndPlacesNothing() {
        LocalQueue src = new LocalQueue();
        LocalQueue dst = new LocalQueue();
        assertNull(src.stealInto(dst));
        Task<?> t = task(0);
        src.pushBackOrOverflow(t, new InjectQueue());
        assertSame(t, src.stealInto(dst));
        assertTrue(dst.isEmpty());
        assertTrue(src.isEmpty());
        assertNull(src.stealInto(dst));
        assertEquals(1, dst.stealOperations());
        assertThrows(IllegalArgumentException.class, () -> src.stealInto(src));
    }

    @Test
    void stealIsRefusedWhileTheDestinationHoldsMoreThanHalf() {
        LocalQueue src = new LocalQueue();
        LocalQueue dst = new LocalQueue();
        InjectQueue inject = new InjectQueue();
        for (Task<?> t : tasks(10)) {
            src.pushBackOrOverflow(t, inject);
        }
        for (Task<?> t : tasks(CAP / 2 + 1)) {
            dst.pushBackOrOverflow(t, inject);
        }
        assertNull(src.stealInto(dst));
        assertEquals(10, src.len());
        assertEquals(CAP / 2 + 1, dst.len());
        assertEquals(0, dst.stealOperations());

        dst.pop();
        Task<?> got = src.stealInto(dst);
        assertTrue(got != null);
        assertEquals(5, src.len());
        assertEquals(CAP / 2 + 4, dst.len());
    }

    // ---------------------------------------------------------------- model, with index wrap-around

    /** Tokio's rules, on deques: the reference the real queues are compared with. */
    private static void modelPush(ArrayDeque<Task<?>> local, ArrayDeque<Task<?>> inject, Task<?> t) {
        if (local.size() < CAP) {
            local.addLast(t);
            return;
        }
        List<Task<?>> all = new ArrayList<>(local);
        local.clear();
        local.addAll(all.subList(0, CAP / 2));
        inject.addAll(all.subList(CAP / 2, CAP));
        inject.addLast(t);
    }

    private static Task<?> modelSteal(ArrayDeque<Task<?>> src, ArrayDeque<Task<?>> dst) {
        if (dst.size() > CAP / 2 || src.isEmpty()) {
            return null;
        }
        int n = src.size() - src.size() / 2;
        for (int i = 0; i < n - 1; i++) {
            dst.addLast(src.pollFirst());
        }
        return src.pollFirst();
    }

    @Test
    void randomSingleThreadedOperationsMatchTheModelAcrossIndexWrap() {
        int[] starts = {0, -1, -130, Integer.MAX_VALUE - 300, Integer.MIN_VALUE + 5};
        for (int start : starts) {
            LocalQueue[] qs = {new LocalQueue(start), new LocalQueue(start + 77)};
            List<ArrayDeque<Task<?>>> models = List.of(new ArrayDeque<>(), new ArrayDeque<>());
            InjectQueue inject = new InjectQueue();
            ArrayDeque<Task<?>> injectModel = new ArrayDeque<>();
            long[] overflows = new long[2];
            Rng rng = new Rng(start * 31L + 7);
            Task<?>[] batch = new Task<?>[CAP / 2];
            int next = 0;
            for (int step = 0; step < 40_000; step++) {
                int r = rng.next();
                int which = (r >>> 8) & 1;
                LocalQueue q = qs[which];
                ArrayDeque<Task<?>> m = models.get(which);
                String where = "start " + start + ", step " + step;
                switch (r & 15) {
                    case 0, 1, 2, 3, 4, 5, 6 -> {
                        Task<?> t = task(next++);
                        if (m.size() == CAP) {
                            overflows[which]++;
                        }
                        modelPush(m, injectModel, t);
                        q.pushBackOrOverflow(t, inject);
                    }
                    case 7, 8, 9 -> assertSame(m.pollFirst(), q.pop(), where);
                    case 10, 11, 12 -> {
                        LocalQueue other = qs[1 - which];
                        assertSame(modelSteal(models.get(1 - which), m), other.stealInto(q), where);
                    }
                    default -> {
                        // A worker's pull from the inject queue: run one, queue the rest locally.
                        int cap = Math.min(q.remainingSlots(), CAP / 2);
                        int n = Math.max(1, Math.min(inject.length() / 2 + 1, cap));
                        int k = 0;
                        for (int i = 0; i < n; i++) {
                            Task<?> t = inject.pop();
                            assertSame(injectModel.pollFirst(), t, where);
                            if (t == null) {
                                break;
                            }
                            if (i > 0) {
                                batch[k++] = t;
                            }
                        }
                        q.pushBack(batch, 0, k);
                        m.addAll(Arrays.asList(batch).subList(0, k));
                    }
                }
                for (int i = 0; i < 2; i++) {
                    assertEquals(models.get(i).size(), qs[i].len(), where);
                    assertEquals(CAP - models.get(i).size(), qs[i].remainingSlots(), where);
                    assertEquals(overflows[i], qs[i].overflowCount(), where);
                }
                assertEquals(injectModel.size(), inject.length(), where);
            }
            for (int i = 0; i < 2; i++) {
                for (Task<?> t; (t = models.get(i).pollFirst()) != null; ) {
                    assertSame(t, qs[i].pop());
                }
                assertNull(qs[i].pop());
            }
            assertTrue(overflows[0] > 0 && overflows[1] > 0, "the model run should overflow both queues");
        }
    }

    // ---------------------------------------------------------------- stress

    /** Counts each consumed task by its index; safe for any number of threads once built. */
    private static final class Ledger {
        final IdentityHashMap<Task<?>, Integer> index = new IdentityHashMap<>();
        final AtomicIntegerArray seen;
        final AtomicInteger consumed = new AtomicInteger();
        final AtomicInteger unknown = new AtomicInteger();

        Ledger(Task<?>[] ts) {
            for (int i = 0; i < ts.length; i++) {
                index.put(ts[i], i);
            }
            seen = new AtomicIntegerArray(ts.length);
        }

        void record(Task<?> t) {
            Integer i = index.get(t);
            if (i == null) {
                unknown.incrementAndGet();
            } else {
                seen.incrementAndGet(i);
            }
            consumed.incrementAndGet();
        }

        void assertEachSeenOnce() {
            int missing = 0;
            int duplicated = 0;
            StringBuilder sample = new StringBuilder();
            for (int i = 0; i < seen.length(); i++) {
                int c = seen.get(i);
                if (c != 1) {
                    if (c == 0) {
                        missing++;
                    } else {
                        duplicated++;
                    }
                    if (sample.length() < 200) {
                        sample.append(' ').append(i).append('x').append(c);
                    }
                }
            }
            if (missing != 0 || duplicated != 0 || unknown.get() != 0) {
                fail(missing + " tasks lost, " + duplicated + " seen more than once, " + unknown.get()
                        + " unknown; first:" + sample);
            }
        }
    }

    /** Like a worker: runs one task from the inject queue and queues up to a batch more locally. */
    private static boolean pullFromInject(LocalQueue q, InjectQueue inject, Task<?>[] batch, Ledger ledger) {
        Task<?> first = inject.pop();
        if (first == null) {
            return false;
        }
        ledger.record(first);
        int cap = Math.min(q.remainingSlots(), batch.length);
        int n = Math.min(inject.length() / 3 + 1, cap);
        int k = 0;
        while (k < n) {
            Task<?> t = inject.pop();
            if (t == null) {
                break;
            }
            batch[k++] = t;
        }
        q.pushBack(batch, 0, k);
        Arrays.fill(batch, 0, k, null);
        return true;
    }

    /** Runs {@code bodies} on platform threads; stops them all if no task is consumed for a while. */
    private static void runThreads(Ledger ledger, AtomicReference<Throwable> failure,
            AtomicBoolean stop, Runnable... bodies) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < bodies.length; i++) {
            Runnable body = bodies[i];
            threads.add(Thread.ofPlatform().name("local-queue-stress-" + i).start(() -> {
                try {
                    body.run();
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                    stop.set(true);
                }
            }));
        }
        long lastProgress = System.nanoTime();
        int lastConsumed = -1;
        for (Thread t : threads) {
            while (!t.join(Duration.ofMillis(100))) {
                int c = ledger.consumed.get();
                if (c != lastConsumed) {
                    lastConsumed = c;
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > Duration.ofSeconds(3).toNanos()) {
                    // Nothing consumed for 3 s: a task was lost; stop and report which.
                    stop.set(true);
                }
            }
        }
        if (failure.get() != null) {
            throw new AssertionError("a stress thread failed", failure.get());
        }
    }

    @Test
    void stressOwnerPushesAndPopsWhileTwoThievesStealEveryTaskSeenOnce() {
        stress(42, 0, 0);
    }

    /** The same with the owner's indices crossing Integer.MAX_VALUE and the thieves' crossing 0 mid-run. */
    @Test
    void stressAcrossIndexWrapEveryTaskSeenOnce() {
        stress(4242, Integer.MAX_VALUE - 300_000, -100_000);
    }

    /**
     * One owner pushing {@code 1_000_000} tasks (overflowing to a real inject queue, popping, and
     * pulling batches back from it) while two thieves steal from it and from each other and pop
     * their own queues; every task must be consumed exactly once.
     */
    private static void stress(long seed, int ownerStart, int thiefStart) {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            int total = 1_000_000;
            Task<?>[] ts = tasks(total);
            Ledger ledger = new Ledger(ts);
            InjectQueue inject = new InjectQueue();
            LocalQueue owner = new LocalQueue(ownerStart);
            LocalQueue[] thieves = {new LocalQueue(thiefStart), new LocalQueue(thiefStart + 1000)};
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicBoolean stop = new AtomicBoolean();

            Runnable ownerBody = () -> {
                Rng rng = new Rng(seed);
                Task<?>[] batch = new Task<?>[CAP / 2];
                int next = 0;
                while (next < total && !stop.get()) {
                    int r = rng.next();
                    // A quarter of the time only push, so the ring fills and overflows under steals.
                    boolean flood = ((next >>> 13) & 3) == 0;
                    int pushes = 1 + (r & 7);
                    for (int i = 0; i < pushes && next < total; i++) {
                        owner.pushBackOrOverflow(ts[next++], inject);
                    }
                    int pops = flood ? 0 : (r >>> 3) & 7;
                    for (int i = 0; i < pops; i++) {
                        Task<?> t = owner.pop();
                        if (t == null) {
                            break;
                        }
                        ledger.record(t);
                    }
                    if (((r >>> 6) & 15) == 0) {
                        pullFromInject(owner, inject, batch, ledger);
                    }
                }
                while (ledger.consumed.get() < total && !stop.get()) {
                    Task<?> t = owner.pop();
                    if (t != null) {
                        ledger.record(t);
                    } else if (!pullFromInject(owner, inject, batch, ledger)) {
                        Thread.yield();
                    }
                }
            };
            Runnable[] bodies = new Runnable[1 + thieves.length];
            bodies[0] = ownerBody;
            for (int j = 0; j < thieves.length; j++) {
                LocalQueue mine = thieves[j];
                LocalQueue other = thieves[1 - j];
                long thiefSeed = seed * 1000 + j;
                bodies[1 + j] = () -> {
                    Rng rng = new Rng(thiefSeed);
                    while (ledger.consumed.get() < total && !stop.get()) {
                        int r = rng.next();
                        Task<?> t = owner.stealInto(mine);
                        if (t == null && (r & 3) == 0) {
                            t = other.stealInto(mine);
                        }
                        if (t != null) {
                            ledger.record(t);
                        }
                        int pops = 1 + ((r >>> 2) & 3);
                        for (int i = 0; i < pops; i++) {
                            Task<?> x = mine.pop();
                            if (x == null) {
                                break;
                            }
                            ledger.record(x);
                        }
                        if (t == null && mine.isEmpty()) {
                            Task<?> x = inject.pop();
                            if (x != null) {
                                ledger.record(x);
                            } else {
                                Thread.yield();
                            }
                        }
                    }
                };
            }
            long started = System.nanoTime();
            runThreads(ledger, failure, stop, bodies);
            long elapsedMs = (System.nanoTime() - started) / 1_000_000;

            // The threads are joined: this thread may now act as every queue's owner.
            for (LocalQueue q : new LocalQueue[] {owner, thieves[0], thieves[1]}) {
                for (Task<?> t; (t = q.pop()) != null; ) {
                    ledger.record(t);
                }
            }
            for (Task<?> t; (t = inject.pop()) != null; ) {
                ledger.record(t);
            }
            ledger.assertEachSeenOnce();
            assertEquals(total, ledger.consumed.get());

            long steals = thieves[0].stealOperations() + thieves[1].stealOperations();
            long stolen = thieves[0].stolenTasks() + thieves[1].stolenTasks();
            System.out.printf("LocalQueue stress: %d tasks in %d ms; %d overflows, %d steals moving %d tasks%n",
                    total, elapsedMs, owner.overflowCount(), steals, stolen);
            assertTrue(owner.overflowCount() > 0, "the stress should overflow the owner's queue");
            assertTrue(steals > 0, "the stress should steal");
        });
    }

    /**
     * Owner pops and two thieves steal while the queue holds 1 to 3 tasks, round after round;
     * each round checks that every task came out exactly once before the next starts.
     */
    @Test
    void stressPopRacesStealOnANearlyEmptyQueue() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            int rounds = 150_000;
            int thiefCount = 2;
            // Starts so that the indices cross Integer.MAX_VALUE during the run.
            LocalQueue q = new LocalQueue(Integer.MAX_VALUE - 100_000);
            InjectQueue inject = new InjectQueue();
            LocalQueue[] dsts = {new LocalQueue(), new LocalQueue()};
            Task<?>[] pool = tasks(3);
            AtomicIntegerArray stolenCounts = new AtomicIntegerArray(pool.length);
            AtomicInteger round = new AtomicInteger();
            AtomicInteger ownerDone = new AtomicInteger();
            AtomicIntegerArray thiefDone = new AtomicIntegerArray(thiefCount);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicBoolean stop = new AtomicBoolean();
            long[] stolenByThieves = new long[1];
            long[] poppedByOwner = new long[1];

            List<Thread> thieves = new ArrayList<>();
            for (int j = 0; j < thiefCount; j++) {
                int me = j;
                LocalQueue mine = dsts[j];
                thieves.add(Thread.ofPlatform().name("local-queue-race-" + j).start(() -> {
                    try {
                        int done = 0;
                        for (;;) {
                            int r;
                            int spins = 0;
                            while ((r = round.get()) == done && !stop.get()) {
                                if (++spins > 200) {
                                    Thread.yield();
                                }
                                Thread.onSpinWait();
                            }
                            if (r < 0 || stop.get()) {
                                return;
                            }
                            boolean ownerFinished;
                            do {
                                ownerFinished = ownerDone.get() == r;
                                Task<?> t = q.stealInto(mine);
                                for (; t != null; t = mine.pop()) {
                                    stolenCounts.incrementAndGet(indexIn(pool, t));
                                }
                            } while (!ownerFinished && !stop.get());
                            done = r;
                            thiefDone.set(me, r);
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                        stop.set(true);
                    }
                }));
            }

            try {
                Rng rng = new Rng(7);
                int[] popped = new int[pool.length];
                // At least `rounds` rounds, and on until each side has won a race: on a loaded
                // machine the thieves may not get a core inside the owner's window for a while.
                for (int r = 1; (r <= rounds || stolenByThieves[0] == 0 || poppedByOwner[0] == 0) && !stop.get(); r++) {
                    int x = rng.next();
                    int k = 1 + (x & 0xffff) % 3;
                    for (int i = 0; i < pool.length; i++) {
                        stolenCounts.set(i, 0);
                        popped[i] = 0;
                    }
                    for (int i = 0; i < k; i++) {
                        q.pushBackOrOverflow(pool[i], inject);
                    }
                    round.set(r);
                    // Jitter, so pops meet steals at every offset.
                    for (int s = (x >>> 16) & 63; s > 0; s--) {
                        Thread.onSpinWait();
                    }
                    for (Task<?> t; (t = q.pop()) != null; ) {
                        popped[indexIn(pool, t)]++;
                    }
                    ownerDone.set(r);
                    int spins = 0;
                    for (int j = 0; j < thiefCount; j++) {
                        while (thiefDone.get(j) != r && !stop.get()) {
                            if (++spins > 200) {
                                Thread.yield();
                            }
                            Thread.onSpinWait();
                        }
                    }
                    if (stop.get()) {
                        break;
                    }
                    for (int i = 0; i < pool.length; i++) {
                        int expected = i < k ? 1 : 0;
                        int got = popped[i] + stolenCounts.get(i);
                        if (got != expected) {
                            fail("round " + r + " with " + k + " tasks: task " + i + " popped " + popped[i]
                                    + "x, stolen " + stolenCounts.get(i) + "x");
                        }
                        poppedByOwner[0] += popped[i];
                        stolenByThieves[0] += stolenCounts.get(i);
                    }
                    assertTrue(q.isEmpty() && dsts[0].isEmpty() && dsts[1].isEmpty() && inject.isEmpty());
                }
            } finally {
                round.set(-1);
                stop.set(true);
                for (Thread t : thieves) {
                    t.join();
                }
            }
            if (failure.get() != null) {
                throw new AssertionError("a thief failed", failure.get());
            }
            System.out.printf("LocalQueue race: %d rounds; owner popped %d, thieves stole %d%n",
                    rounds, poppedByOwner[0], stolenByThieves[0]);
            assertTrue(stolenByThieves[0] > 0, "thieves should win some races");
            assertTrue(poppedByOwner[0] > 0, "the owner should win some races");
        });
    }

    private static int indexIn(Task<?>[] pool, Task<?> t) {
        for (int i = 0; i < pool.length; i++) {
            if (pool[i] == t) {
                return i;
            }
        }
        throw new AssertionError("unknown task " + t);
    }
}
