package dev.kyoto.runtime.internal.scheduler;

import dev.kyoto.runtime.internal.task.Task;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Model check of {@link InjectQueue}: pushes (one task or a linked batch), pops (one or several),
 * close and the emptiness check from three threads are linearizable to a FIFO that refuses pushes
 * once closed. Pushes and close are lock-free (a CAS on the tail, then a link), so the checker
 * interleaves a taker with a push caught between its CAS and its link, a close racing a push, a
 * taker appending the stub behind the last task while a producer appends, and a task popped and
 * pushed again while another thread still holds it as the tail it read. {@code length()} is an
 * estimate while operations are in flight, so it is checked in {@link InjectQueueStressTest}
 * (exact when quiet) rather than here.
 */
@Tag("lincheck")
class InjectQueueLincheckTest {
    private static final int SCALE = Boolean.getBoolean("kyoto.soak") ? 20 : 1;

    /**
     * Each push takes fresh tasks from a pool (a task is linked into one queue at a time) and
     * records the operation's value for them; pops report those values.
     */
    public static class Queue {
        private static final int POOL = 40;

        private final TaskPool pool = new TaskPool(POOL);
        private final int[] values = new int[POOL];
        private final AtomicInteger taken = new AtomicInteger();
        private final InjectQueue queue = new InjectQueue();

        /** A fresh task carrying {@code value}; written before the push, whose CAS publishes it. */
        private Task<?> fresh(int value) {
            int i = taken.getAndIncrement();
            values[i] = value;
            return pool.task(i);
        }

        private Integer value(Task<?> t) {
            return t == null ? null : values[pool.id(t, 0)];
        }

        @Operation
        public boolean push(int value) {
            return queue.push(fresh(value));
        }

        @Operation
        public boolean pushBatch(int first, int second) {
            Task<?> a = fresh(first);
            Task<?> b = fresh(second);
            a.setQueueNext(b);
            return queue.pushBatch(a, b, 2);
        }

        @Operation
        public Integer pop() {
            return value(queue.pop());
        }

        @Operation
        public List<Integer> popTwo() {
            Task<?>[] into = new Task<?>[2];
            int n = queue.popN(into, 2);
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                out.add(value(into[i]));
            }
            return out;
        }

        @Operation
        public boolean isEmpty() {
            return queue.isEmpty();
        }

        /** Pops a task and pushes it straight back: the task's link is reused while others append. */
        @Operation
        public Integer popAndPushBack() {
            Task<?> t = queue.pop();
            if (t == null) {
                return null;
            }
            return queue.push(t) ? value(t) : -1 - value(t);
        }

        @Operation
        public void close() {
            queue.close();
        }
    }

    /** The sequential model of {@link Queue}. */
    public static class QueueModel {
        private final ArrayDeque<Integer> queue = new ArrayDeque<>();
        private boolean closed;

        public boolean push(int value) {
            if (closed) {
                return false;
            }
            queue.add(value);
            return true;
        }

        public boolean pushBatch(int first, int second) {
            if (closed) {
                return false;
            }
            queue.add(first);
            queue.add(second);
            return true;
        }

        public Integer pop() {
            return queue.poll();
        }

        public List<Integer> popTwo() {
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < 2 && !queue.isEmpty(); i++) {
                out.add(queue.poll());
            }
            return out;
        }

        public boolean isEmpty() {
            return queue.isEmpty();
        }

        public Integer popAndPushBack() {
            Integer v = queue.poll();
            if (v == null) {
                return null;
            }
            if (closed) {
                return -1 - v;
            }
            queue.add(v);
            return v;
        }

        public void close() {
            closed = true;
        }
    }

    @Test
    void linearizable() {
        new ModelCheckingOptions()
                .sequentialSpecification(QueueModel.class)
                .threads(3)
                .actorsBefore(2)
                .actorsPerThread(2)
                .actorsAfter(1)
                .iterations(3 * SCALE)
                .invocationsPerIteration(150)
                .check(Queue.class);
    }
}
