package dev.kyoto.runtime.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Waker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Wake-ups between tasks on different workers and plain threads. A lost wake-up leaves a task
 * waiting for ever, which the timeout turns into a failure.
 */
class NotifyStressTest {

    @Test
    void pingPongBetweenTwoTasksNeverLosesAWakeUp() {
        int rounds = 200_000;
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Notify ping = new Notify();
            Notify pong = new Notify();
            long start = System.nanoTime();
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(4).build()) {
                JoinHandle<Void> ponger = rt.spawn(answer(ping, pong, rounds));
                JoinHandle<Void> pinger = rt.spawn(ask(ping, pong, rounds));
                rt.blockOn(pinger);
                rt.blockOn(ponger);
            }
            assertEquals(0, ping.waiterCount());
            assertEquals(0, pong.waiterCount());
            System.out.printf("Notify ping-pong: %d round trips in %d ms%n", rounds, (System.nanoTime() - start) / 1_000_000);
        });
    }

    private static Async<Void> ask(Notify ping, Notify pong, int left) {
        if (left == 0) {
            return Async.ready(null);
        }
        ping.notifyOne();
        return pong.notified().then(v -> ask(ping, pong, left - 1));
    }

    private static Async<Void> answer(Notify ping, Notify pong, int left) {
        if (left == 0) {
            return Async.ready(null);
        }
        return ping.notified().then(v -> {
            pong.notifyOne();
            return answer(ping, pong, left - 1);
        });
    }

    /**
     * Plain threads publish work and call notifyOne; one task consumes in the check-then-wait
     * pattern, which the stored permit makes safe.
     */
    @Test
    void aConsumerWokenByNotifyOneFromPlainThreadsSeesEveryItem() {
        int producers = 4;
        int perProducer = 100_000;
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Notify notify = new Notify();
            AtomicLong produced = new AtomicLong();
            long start = System.nanoTime();
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(4).build()) {
                AtomicLong consumed = new AtomicLong();
                JoinHandle<Long> consumer = rt.spawn(consume(notify, produced, consumed, (long) producers * perProducer));
                List<Thread> threads = new ArrayList<>();
                for (int p = 0; p < producers; p++) {
                    threads.add(Thread.ofPlatform().start(() -> {
                        for (int i = 0; i < perProducer; i++) {
                            produced.incrementAndGet();
                            notify.notifyOne();
                        }
                    }));
                }
                assertEquals((long) producers * perProducer, rt.blockOn(consumer));
                for (Thread t : threads) {
                    t.join();
                }
            }
            System.out.printf("Notify producers: %d notifyOne calls from %d threads in %d ms%n",
                    (long) producers * perProducer, producers, (System.nanoTime() - start) / 1_000_000);
        });
    }

    private static Async<Long> consume(Notify notify, AtomicLong produced, AtomicLong consumed, long total) {
        return Async.ready(null).then(v -> {
            consumed.set(produced.get());
            if (consumed.get() == total) {
                return Async.ready(total);
            }
            return notify.notified().then(w -> consume(notify, produced, consumed, total));
        });
    }

    /**
     * notifyWaiters in lockstep: each task creates its next notified() (which registers it for the
     * next broadcast) and only then acknowledges the round it saw; a plain thread spins until every
     * acknowledgement is in and broadcasts after a random pause, often before a task has polled
     * (linked) its notified(). Every task must be woken by every broadcast and see every round;
     * with one task, nothing else can make up for a broadcast it missed.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 8})
    void notifyWaitersReachesEveryTaskThatRegisteredBeforeIt(int waiters) {
        int rounds = 10_000;
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Notify notify = new Notify();
            AtomicInteger round = new AtomicInteger();
            CountDownLatch[] acks = new CountDownLatch[rounds + 1];
            for (int r = 0; r <= rounds; r++) {
                acks[r] = new CountDownLatch(waiters);
            }
            long deadline = Spin.deadline(Duration.ofSeconds(50));
            long start = System.nanoTime();
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(4).build()) {
                List<JoinHandle<Integer>> handles = new ArrayList<>();
                for (int w = 0; w < waiters; w++) {
                    handles.add(rt.spawn(follow(notify, round, acks, 0, rounds)));
                }
                Spin.until(() -> acks[0].getCount() == 0, deadline, "every task to register");
                for (int r = 1; r <= rounds; r++) {
                    int now = r;
                    round.set(r);
                    Spin.jitter(16);
                    notify.notifyWaiters();
                    Spin.until(() -> acks[now].getCount() == 0, deadline, "every task to see round " + now);
                }
                for (JoinHandle<Integer> h : handles) {
                    assertEquals(rounds, rt.blockOn(h));
                }
            }
            assertEquals(0, notify.waiterCount());
            System.out.printf("Notify broadcast: %d notifyWaiters, each waking all %d tasks, in %d ms%n",
                    rounds, waiters, (System.nanoTime() - start) / 1_000_000);
        });
    }

    private static Async<Integer> follow(Notify notify, AtomicInteger round, CountDownLatch[] acks, int seen, int last) {
        return Async.ready(null).then(v -> {
            Async<Void> next = notify.notified();
            acks[seen].countDown();
            if (seen == last) {
                next.cancel();
                return Async.ready(last);
            }
            return next.then(w -> {
                int now = round.get();
                if (now != seen + 1) {
                    throw new AssertionError("woken for round " + now + " after round " + seen);
                }
                return follow(notify, round, acks, now, last);
            });
        });
    }
    /**
     * The race NotifyLincheckTest.notifyWaitersIsSeenAtomically found, on real threads and the
     * real memory model: each round two waiters queue, another thread calls notifyWaiters, and
     * this thread polls the first while it runs (a poll of a queued waiter takes no lock); once the
     * first is complete the second must be too. 250,000 rounds of at least five calls; each round
     * must finish within 10 s (a lost wake-up), the whole within 5 minutes.
     */
    @Test
    void notifyWaitersIsSeenWholeByAPollingTask() {
        int rounds = 250_000;
        Duration perRound = Duration.ofSeconds(10);
        assertTimeoutPreemptively(Duration.ofMinutes(5), () -> {
            Notify notify = new Notify();
            AtomicInteger round = new AtomicInteger();
            long start = System.nanoTime();
            Thread notifier = Thread.ofPlatform().daemon().start(() -> {
                for (int r = 1; r <= rounds; r++) {
                    long deadline = Spin.deadline(perRound);
                    for (long spins = 0; round.get() < r; spins++) {
                        if (System.nanoTime() > deadline) {
                            return; // the polling side failed and says why
                        }
                        Spin.pause(spins);
                    }
                    Spin.jitter(8);
                    notify.notifyWaiters();
                }
            });
            Context cx = new Context(Waker.noop());
            for (int r = 1; r <= rounds; r++) {
                Async<Void> first = notify.notified();
                Async<Void> second = notify.notified();
                if (first.poll(cx).isReady() || second.poll(cx).isReady()) {
                    throw new AssertionError("round " + r + ": a waiter completed before its notifyWaiters");
                }
                round.set(r);
                long deadline = Spin.deadline(perRound);
                for (long spins = 0; first.poll(cx).isPending(); spins++) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("round " + r + ": notifyWaiters never completed the first waiter");
                    }
                    Spin.pause(spins);
                }
                if (second.poll(cx).isPending()) {
                    throw new AssertionError("round " + r + ": notifyWaiters completed the first waiter but not the second");
                }
            }
            notifier.join();
            assertEquals(0, notify.waiterCount());
            System.out.printf("Notify notifyWaiters seen whole: %d rounds in %d ms%n", rounds, (System.nanoTime() - start) / 1_000_000);
        });
    }
}
