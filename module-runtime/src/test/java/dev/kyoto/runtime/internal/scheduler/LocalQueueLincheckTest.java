package dev.kyoto.runtime.internal.scheduler;

import static org.junit.jupiter.api.Assertions.assertNull;

import dev.kyoto.runtime.internal.task.Task;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.jetbrains.lincheck.Lincheck;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.jetbrains.lincheck.datastructures.verifier.EpsilonVerifier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Model checks of {@link LocalQueue}, as Tokio checks its local queue with loom
 * ({@code loom_multi_thread/queue.rs}): Lincheck runs the real class under every interleaving it
 * explores, switching threads at each shared-memory access.
 *
 * <p>Three kinds of check. The linearizability checks give Lincheck the operations and a
 * sequential model, and it verifies that every concurrent run's results match some sequential
 * order of them. Where no sequential model fits (a steal may find another in progress and give
 * up; a push that finds the ring full only because a thief is still copying out of it sends just
 * itself to the inject queue), random operations are checked after each run for every task
 * coming out exactly once and in order. The scenario checks ({@code Lincheck.runConcurrentTest})
 * are loom's models: fixed threads doing fixed work, then the same exactly-once assertions. The
 * overflow checks use the data-structure API because only it can raise Lincheck's loop bound
 * above the 128 tasks an overflow or a steal moves in one loop.
 *
 * <p>Lincheck's model is sequentially consistent: these checks find interleaving bugs, not
 * missing fences (see docs/design-notes.md).
 */
@Tag("lincheck")
class LocalQueueLincheckTest {
    private static final int CAP = LocalQueue.CAPACITY;
    /** {@code -P soak} (system property {@code kyoto.soak}) explores this many times more. */
    private static final int SCALE = Boolean.getBoolean("kyoto.soak") ? 20 : 1;
    /** Loops of up to half the ring (an overflow, a steal's copy) are progress, not a livelock. */
    private static final int LOOP_BOUND = CAP + 10;

    // ---------------------------------------------------------------- linearizability

    /**
     * The owner pushes and pops while one thief steals: linearizable to a FIFO whose steal takes
     * the older half, rounded up. The indices start just below the 32-bit wrap, so every run
     * crosses it.
     */
    public static class OwnerAndThief {
        private static final int PREFILL = 3;

        private final TaskPool pool = new TaskPool(PREFILL + 16);
        private final LocalQueue queue = new LocalQueue(-2);
        private final InjectQueue inject = new InjectQueue();
        private int next;

        public OwnerAndThief() {
            for (int i = 0; i < PREFILL; i++) {
                push();
            }
        }

        @Operation(nonParallelGroup = "owner")
        public void push() {
            queue.pushBackOrOverflow(pool.task(next++), inject);
        }

        @Operation(nonParallelGroup = "owner")
        public Integer pop() {
            return pool.id(queue.pop());
        }

        /** The stolen tasks, oldest first: those the thief queued, then the one it was handed to run. */
        @Operation(nonParallelGroup = "thief")
        public List<Integer> steal() {
            LocalQueue own = new LocalQueue();
            Task<?> last = queue.stealInto(own);
            List<Integer> stolen = new ArrayList<>();
            if (last != null) {
                for (Task<?> t = own.pop(); t != null; t = own.pop()) {
                    stolen.add(pool.id(t));
                }
                stolen.add(pool.id(last));
            }
            return stolen;
        }
    }

    /** The sequential model of {@link OwnerAndThief}. */
    public static class OwnerAndThiefModel {
        private final ArrayDeque<Integer> queue = new ArrayDeque<>();
        private int next;

        public OwnerAndThiefModel() {
            for (int i = 0; i < OwnerAndThief.PREFILL; i++) {
                push();
            }
        }

        public void push() {
            queue.add(next++);
        }

        public Integer pop() {
            return queue.poll();
        }

        public List<Integer> steal() {
            int n = queue.size() - queue.size() / 2;
            List<Integer> stolen = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                stolen.add(queue.poll());
            }
            return stolen;
        }
    }

    @Test
    void ownerAndOneThiefAreLinearizable() {
        new ModelCheckingOptions()
                .sequentialSpecification(OwnerAndThiefModel.class)
                .threads(2)
                .actorsBefore(2)
                .actorsPerThread(4)
                .actorsAfter(1)
                .iterations(3 * SCALE)
                .invocationsPerIteration(200)
                .check(OwnerAndThief.class);
    }

    /**
     * The owner pushes into a ring one short of full while other threads pop the inject queue: the
     * push that overflows moves the newer half and itself to the inject queue in one batch, in
     * order, and the consumers never see part of it.
     */
    public static class OverflowToInject {
        private static final int PREFILL = CAP - 1;

        private final TaskPool pool = new TaskPool(PREFILL + 16);
        private final LocalQueue queue = new LocalQueue();
        private final InjectQueue inject = new InjectQueue();
        private int next;

        public OverflowToInject() {
            for (int i = 0; i < PREFILL; i++) {
                push();
            }
        }

        @Operation(nonParallelGroup = "owner")
        public void push() {
            queue.pushBackOrOverflow(pool.task(next++), inject);
        }

        @Operation(nonParallelGroup = "owner")
        public Integer pop() {
            Task<?> t = queue.pop();
            return t == null ? null : pool.id(t, 0);
        }

        /** Overflows move the newer half, so what is in the inject queue starts at task CAP / 2. */
        @Operation
        public Integer popInject() {
            Task<?> t = inject.pop();
            return t == null ? null : pool.id(t, CAP / 2);
        }
    }

    /** The sequential model of {@link OverflowToInject}. */
    public static class OverflowToInjectModel {
        private final ArrayDeque<Integer> local = new ArrayDeque<>();
        private final ArrayDeque<Integer> inject = new ArrayDeque<>();
        private int next;

        public OverflowToInjectModel() {
            for (int i = 0; i < OverflowToInject.PREFILL; i++) {
                push();
            }
        }

        public void push() {
            if (local.size() < CAP) {
                local.add(next++);
                return;
            }
            ArrayDeque<Integer> newer = new ArrayDeque<>();
            for (int i = 0; i < CAP / 2; i++) {
                newer.addFirst(local.pollLast());
            }
            inject.addAll(newer);
            inject.add(next++);
        }

        public Integer pop() {
            return local.poll();
        }

        public Integer popInject() {
            return inject.poll();
        }
    }

    @Test
    void overflowIsLinearizableWithInjectConsumers() {
        new ModelCheckingOptions()
                .sequentialSpecification(OverflowToInjectModel.class)
                .threads(3)
                .actorsBefore(1)
                .actorsPerThread(2)
                .actorsAfter(2)
                .iterations(3 * SCALE)
                .invocationsPerIteration(100)
                // An overflow moves half the ring in one loop; Lincheck would take it for a livelock.
                .loopBound(LOOP_BOUND)
                .check(OverflowToInject.class);
    }

    /**
     * Tokio's {@code steal_overflow} and {@code multi_stealer}, with random operations: the owner
     * pushes into a ring two short of full and pops, while two thieves steal. No sequential model
     * fits (a steal may find another in progress and give up, and a push that finds the ring full
     * only because a thief is still copying sends just itself to the inject queue), so the check
     * is on what came out, after each run: every task exactly once, the owner's in FIFO order,
     * each steal a run of consecutive tasks.
     */
    public static class StealsRaceOverflow {
        private static final int PREFILL = CAP - 2;

        private final TaskPool pool = new TaskPool(PREFILL + 16);
        private final LocalQueue queue = new LocalQueue();
        private final InjectQueue inject = new InjectQueue();
        private int next;
        /** What the owner popped; the owner's. */
        private final List<Integer> popped = new ArrayList<>();
        /** Every steal's tasks, oldest first; guarded by this. */
        private final List<List<Integer>> stolen = new ArrayList<>();

        public StealsRaceOverflow() {
            for (int i = 0; i < PREFILL; i++) {
                push();
            }
        }

        @Operation(nonParallelGroup = "owner")
        public void push() {
            queue.pushBackOrOverflow(pool.task(next++), inject);
        }

        @Operation(nonParallelGroup = "owner")
        public void pop() {
            Task<?> t = queue.pop();
            if (t != null) {
                popped.add(pool.id(t, popped.isEmpty() ? 0 : popped.getLast() + 1));
            }
        }

        @Operation
        public void steal() {
            LocalQueue own = new LocalQueue();
            Task<?> last = queue.stealInto(own);
            if (last != null) {
                List<Integer> batch = batch(pool, own, last, 0);
                synchronized (this) {
                    stolen.add(batch);
                }
            }
        }

        @Validate
        public void everyTaskCameOutOnce() {
            Tally tally = new Tally(pool, next);
            for (int id : popped) {
                tally.ownerPopped(pool.task(id));
            }
            tally.ownerDrains(queue);
            tally.injected(inject);
            synchronized (this) {
                tally.stolen(stolen);
            }
            tally.assertEveryTaskOnce();
        }
    }

    @Test
    void stealsRaceOverflowWithoutLosingATask() {
        new ModelCheckingOptions()
                .verifier(EpsilonVerifier.class)
                .threads(3)
                .actorsBefore(0)
                .actorsPerThread(2)
                .actorsAfter(0)
                .iterations(3 * SCALE)
                .invocationsPerIteration(100)
                .loopBound(LOOP_BOUND)
                .check(StealsRaceOverflow.class);
    }

    // ---------------------------------------------------------------- scenarios (loom's models)

    /** Tokio's {@code basic}: the owner pushes and pops in rounds while a thief steals three times. */
    @Test
    void basic() {
        Lincheck.runConcurrentTest(100 * SCALE, () -> {
            TaskPool pool = new TaskPool(6);
            LocalQueue queue = new LocalQueue();
            InjectQueue inject = new InjectQueue();
            Thief thief = new Thief(queue, pool, 3);
            Thread th = start(thief);

            Tally tally = new Tally(pool, 6);
            int next = 0;
            for (int round = 0; round < 2; round++) {
                queue.pushBackOrOverflow(pool.task(next++), inject);
                queue.pushBackOrOverflow(pool.task(next++), inject);
                Task<?> popped = queue.pop();
                if (popped != null) {
                    tally.ownerPopped(popped);
                }
                queue.pushBackOrOverflow(pool.task(next++), inject);
                tally.ownerDrains(queue);
            }
            join(th);
            assertNull(inject.pop(), "nothing overflowed");
            tally.stolen(thief.batches);
            tally.assertEveryTaskOnce();
        });
    }

    /** Tokio's {@code multi_stealer}: two thieves and the owner drain five tasks between them. */
    @Test
    void twoThievesAndTheOwner() {
        Lincheck.runConcurrentTest(100 * SCALE, () -> {
            TaskPool pool = new TaskPool(5);
            LocalQueue queue = new LocalQueue();
            InjectQueue inject = new InjectQueue();
            for (int i = 0; i < 5; i++) {
                queue.pushBackOrOverflow(pool.task(i), inject);
            }
            Thief t1 = new Thief(queue, pool, 1);
            Thief t2 = new Thief(queue, pool, 1);
            Thread th1 = start(t1);
            Thread th2 = start(t2);

            Tally tally = new Tally(pool, 5);
            tally.ownerDrains(queue);
            join(th1);
            join(th2);
            tally.stolen(t1.batches);
            tally.stolen(t2.batches);
            tally.assertEveryTaskOnce();
        });
    }

    /**
     * Tokio's {@code chained_steal}: while a thief steals from queue 1, its owner drains it and
     * steals from queue 2 into it, so queue 1 is written while a steal from it may be in progress.
     */
    @Test
    void chainedSteal() {
        Lincheck.runConcurrentTest(100 * SCALE, () -> {
            TaskPool pool = new TaskPool(8);
            LocalQueue q1 = new LocalQueue();
            LocalQueue q2 = new LocalQueue();
            InjectQueue inject = new InjectQueue();
            for (int i = 0; i < 4; i++) {
                q1.pushBackOrOverflow(pool.task(i), inject);
                q2.pushBackOrOverflow(pool.task(4 + i), inject);
            }
            Thief thief = new Thief(q1, pool, 1);
            Thread th = start(thief);

            Tally tally = new Tally(pool, 8);
            tally.ownerDrains(q1);
            Task<?> last = q2.stealInto(q1);
            List<List<Integer>> fromQ2 = new ArrayList<>();
            if (last != null) {
                fromQ2.add(batch(pool, q1, last, 4));
            }
            join(th);
            // Whatever q1 still holds came from q2 (q1's own tasks were drained before the steal).
            fromQ2.add(batch(pool, q2, null, 4));
            tally.stolen(fromQ2);
            tally.stolen(thief.batches);
            tally.assertEveryTaskOnce();
        });
    }

    /** A thread that steals from a victim into a queue of its own and drains it, batch by batch. */
    private static final class Thief implements Runnable {
        private final LocalQueue victim;
        private final TaskPool pool;
        private final int attempts;
        private final LocalQueue own = new LocalQueue();
        /** Each successful steal, oldest first. Read by the owner only after joining this thread. */
        final List<List<Integer>> batches = new ArrayList<>();

        Thief(LocalQueue victim, TaskPool pool, int attempts) {
            this.victim = victim;
            this.pool = pool;
            this.attempts = attempts;
        }

        @Override
        public void run() {
            int hint = 0;
            for (int i = 0; i < attempts; i++) {
                Task<?> last = victim.stealInto(own);
                if (last != null) {
                    List<Integer> batch = batch(pool, own, last, hint);
                    batches.add(batch);
                    hint = batch.getLast() + 1;
                }
            }
        }
    }

    /**
     * Where each task came out. Pushes are in id order and the queue is FIFO, so the owner pops
     * ids in increasing order, every steal is a run of consecutive ids, and no id comes out twice
     * or never.
     */
    private static final class Tally {
        private static final byte POPPED = 1;
        private static final byte INJECTED = 2;
        private static final byte STOLEN = 3;
        private static final String[] HOW = {null, "popped by the owner", "found in the inject queue", "stolen"};

        private final TaskPool pool;
        /** How each task came out (0: not yet). Bytes, not strings: this runs inside the model checker, where every access costs. */
        private final byte[] where;
        private int lastPopped = -1;

        Tally(TaskPool pool, int n) {
            this.pool = pool;
            where = new byte[n];
        }

        void ownerDrains(LocalQueue queue) {
            for (Task<?> t = queue.pop(); t != null; t = queue.pop()) {
                ownerPopped(t);
            }
        }

        void ownerPopped(Task<?> task) {
            int id = pool.id(task, lastPopped + 1);
            if (id <= lastPopped) {
                throw new AssertionError("the owner popped task " + id + " after task " + lastPopped + ": not FIFO");
            }
            lastPopped = id;
            record(id, POPPED);
        }

        void injected(InjectQueue inject) {
            int id = -1;
            for (Task<?> t = inject.pop(); t != null; t = inject.pop()) {
                id = pool.id(t, id + 1);
                record(id, INJECTED);
            }
        }

        void stolen(List<List<Integer>> batches) {
            for (List<Integer> batch : batches) {
                int previous = -1;
                for (int id : batch) {
                    if (previous >= 0 && id != previous + 1) {
                        throw new AssertionError("a steal took tasks " + batch + ": not consecutive, oldest first");
                    }
                    previous = id;
                    record(id, STOLEN);
                }
            }
        }

        private void record(int id, byte how) {
            if (where[id] != 0) {
                throw new AssertionError("task " + id + " came out twice: " + HOW[where[id]] + ", then " + HOW[how]);
            }
            where[id] = how;
        }

        void assertEveryTaskOnce() {
            for (int id = 0; id < where.length; id++) {
                if (where[id] == 0) {
                    throw new AssertionError("task " + id + " was lost: not popped, stolen, queued or in the inject queue");
                }
            }
        }
    }

    /**
     * The tasks {@code own} holds after a steal into it, oldest first, then {@code last} (the one
     * the steal handed over to run) if there is one; looked up from {@code hint} on.
     */
    private static List<Integer> batch(TaskPool pool, LocalQueue own, Task<?> last, int hint) {
        List<Integer> batch = new ArrayList<>();
        int next = hint;
        for (Task<?> t = own.pop(); t != null; t = own.pop()) {
            next = pool.id(t, next) + 1;
            batch.add(next - 1);
        }
        if (last != null) {
            batch.add(pool.id(last, next));
        }
        return batch;
    }

    /**
     * Where {@link #start} publishes each thread's work before starting it. Lincheck (3.7) takes an
     * object handed to a new thread only through the thread's constructor for one that thread
     * owns alone, and would not switch threads at that object's field accesses; a static field
     * makes it (and the queues it reaches) shared. See docs/design-notes.md.
     */
    @SuppressWarnings("unused")
    private static volatile Object shared;

    private static Thread start(Runnable r) {
        shared = r;
        Thread t = new Thread(r);
        t.start();
        return t;
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
