package dev.kyoto.runtime.internal.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The join-waiter set: who is held, who is woken, and what keeps it from growing. */
class JoinCellTest {
    /** Runs nothing by itself: each test runs its tasks by hand. */
    private static final TaskScheduler BY_HAND = new TaskScheduler() {
        @Override
        public void schedule(Task<?> task) {
        }

        @Override
        public void release(Task<?> task) {
        }
    };

    /** A waker that counts its wakes. */
    private static final class Counting implements dev.kyoto.runtime.Waker {
        final AtomicInteger wakes = new AtomicInteger();

        @Override
        public void wake() {
            wakes.incrementAndGet();
        }
    }

    /** A task that polls {@code cell} once and, when polled again, finishes without it. */
    private static Task<Integer> pollsOnceThenFinishes(JoinCell<Integer> cell) {
        return new Task<>(new Async<>() {
            private boolean polled;

            @Override
            public Poll<Integer> poll(Context cx) throws Exception {
                if (polled) {
                    return Poll.ready(0);
                }
                polled = true;
                return cell.poll(cx);
            }
        }, BY_HAND);
    }

    private static void runOnce(Task<?> t) {
        t.wake();
        t.run();
    }

    @Test
    void aJoinerThatPollsAgainIsHeldOnceAndWokenOnce() throws Exception {
        BlockingTask<Integer> cell = new BlockingTask<>(() -> 7);
        Counting a = new Counting();
        Counting b = new Counting();
        for (int i = 0; i < 1_000; i++) {
            assertTrue(cell.poll(new Context(a)).isPending());
        }
        assertEquals(1, cell.joinerCount());
        cell.poll(new Context(b));
        cell.poll(new Context(a));
        cell.poll(new Context(b));
        assertEquals(2, cell.joinerCount());
        cell.run();
        assertEquals(1, a.wakes.get());
        assertEquals(1, b.wakes.get());
        assertEquals(7, cell.poll(new Context(a)).value());
        assertEquals(0, cell.joinerCount());
    }

    @Test
    void tasksThatFinishedAreDroppedByTheNextRegistration() throws Exception {
        BlockingTask<Integer> cell = new BlockingTask<>(() -> 7);
        Counting stays = new Counting();
        cell.poll(new Context(stays));
        for (int i = 0; i < 10_000; i++) {
            Task<Integer> t = pollsOnceThenFinishes(cell);
            runOnce(t);
            assertEquals(2, cell.joinerCount(), "the waiting joiner and the newest task, round " + i);
            runOnce(t);
            assertTrue(t.isFinished());
        }
        cell.run();
        assertEquals(1, stays.wakes.get());
    }

    @Test
    void detachDropsAndWakesWakersThatAreNotTasksAndKeepsLiveTasks() throws Exception {
        BlockingTask<Integer> cell = new BlockingTask<>(() -> 7);
        List<Task<Integer>> live = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Task<Integer> t = new Task<>(cell, BY_HAND);
            runOnce(t);
            live.add(t);
        }
        List<Counting> blockers = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            // What blockOn(timeout(handle)) leaves behind, one waker per call.
            Counting w = new Counting();
            blockers.add(w);
            cell.poll(new Context(w));
            assertEquals(4, cell.joinerCount());
            cell.cancel();
            assertEquals(3, cell.joinerCount(), "round " + i);
            assertEquals(1, w.wakes.get(), "a dropped waker is woken, so that a joiner still waiting polls again");
        }
        cell.run();
        for (Task<Integer> t : live) {
            t.run();
            assertTrue(t.isFinished(), "every live task joining was woken and finished");
        }
        for (Counting w : blockers) {
            assertEquals(1, w.wakes.get(), "a dropped waker is not woken again at publication");
        }
    }
}
