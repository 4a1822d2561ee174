package dev.kyoto.runtime.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Tasks on a multi-thread runtime and plain threads contend for a few permits. Every holder adds
 * what it holds to a shared count while it holds it, so the largest count seen is the most
 * permits ever handed out at once; it must never exceed the semaphore's permits.
 */
class SemaphoreStressTest {
    private static final int PERMITS = 3;

    @Test
    void neverMorePermitsAreHeldThanTheSemaphoreHas() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Semaphore s = new Semaphore(PERMITS);
            Holders holders = new Holders();
            int tasks = 16;
            int rounds = 20_000;
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> threads = new ArrayList<>();
            AtomicLong threadHolds = new AtomicLong();
            long start = System.nanoTime();
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(4).build()) {
                for (int t = 0; t < 2; t++) {
                    threads.add(Thread.ofPlatform().start(() -> {
                        try {
                            while (!stop.get()) {
                                Optional<Semaphore.Permit> p = s.tryAcquire();
                                if (p.isPresent()) {
                                    holders.take(1);
                                    holders.give(1);
                                    p.get().close();
                                    threadHolds.incrementAndGet();
                                }
                            }
                        } catch (SemaphoreClosedException e) {
                            throw new AssertionError(e);
                        }
                    }));
                }
                List<JoinHandle<Void>> handles = new ArrayList<>();
                for (int t = 0; t < tasks; t++) {
                    handles.add(rt.spawn(new HoldLoop(s, t, rounds, 0, holders, null)));
                }
                for (JoinHandle<Void> h : handles) {
                    rt.blockOn(h);
                }
            } finally {
                stop.set(true);
                for (Thread t : threads) {
                    t.join();
                }
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(holders.max() <= PERMITS, "at most " + PERMITS + " permits held at once, saw " + holders.max());
            assertTrue(holders.waits() > 0, "the permits were contended: tasks had to wait");
            assertEquals(PERMITS, s.availablePermits());
            assertEquals(0, s.waiterCount());
            System.out.printf("Semaphore stress: %d task acquisitions (1-3 permits, %d of them waited) and %d thread "
                    + "tryAcquires on %d permits, max held %d, in %d ms%n",
                    (long) tasks * rounds, holders.waits(), threadHolds.get(), PERMITS, holders.max(), millis);
        });
    }

    /**
     * Waits cancelled under contention, by tasks that give up and queue again and by tasks aborted
     * from outside at arbitrary points, must give back every permit they were assigned and leave
     * no node behind.
     */
    @Test
    void cancelledAndAbortedWaitsLoseNoPermitAndLeaveNoWaiter() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Semaphore s = new Semaphore(PERMITS);
            Holders holders = new Holders();
            AtomicLong giveUps = new AtomicLong();
            int victims = 32;
            long start = System.nanoTime();
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(4).build()) {
                List<JoinHandle<Void>> workers = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    workers.add(rt.spawn(new HoldLoop(s, t, 20_000, 2, holders, giveUps)));
                }
                for (int v = 0; v < victims; v++) {
                    CountDownLatch started = new CountDownLatch(1);
                    JoinHandle<Void> victim = rt.spawn(new HoldLoop(s, v, Integer.MAX_VALUE, 0, holders, null).onFirstHold(started));
                    started.await();
                    victim.abort();
                    assertThrows(CancellationException.class, () -> rt.blockOn(victim));
                }
                for (JoinHandle<Void> h : workers) {
                    rt.blockOn(h);
                }
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(holders.max() <= PERMITS, "at most " + PERMITS + " permits held at once, saw " + holders.max());
            assertTrue(giveUps.get() > 0, "some waits were given up");
            assertEquals(PERMITS, s.availablePermits(), "no permit was lost to a cancelled wait");
            assertEquals(0, s.waiterCount(), "no waiter node was left behind");
            System.out.printf("Semaphore cancel stress: 160000 acquisitions, %d given-up waits, %d aborted tasks, in %d ms%n",
                    giveUps.get(), victims, millis);
        });
    }

    /**
     * Plain threads only, taking and returning permits as fast as they can: many tryAcquires
     * succeed at the same moment, which is where an acquisition that is not one atomic step would
     * hand out a permit twice (and the count end above what the semaphore has).
     */
    @Test
    void plainThreadsHammeringTryAcquireNeverTakeMoreThanThereIs() {
        int threads = 4;
        int iterations = 1_000_000;
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Semaphore s = new Semaphore(2);
            Holders holders = new Holders();
            AtomicLong taken = new AtomicLong();
            long start = System.nanoTime();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; i < iterations; i++) {
                            Optional<Semaphore.Permit> p = s.tryAcquire();
                            if (p.isPresent()) {
                                holders.take(1);
                                holders.give(1);
                                p.get().close();
                                taken.incrementAndGet();
                            }
                        }
                    } catch (SemaphoreClosedException e) {
                        throw new AssertionError(e);
                    }
                }));
            }
            for (Thread t : workers) {
                t.join();
            }
            assertTrue(holders.max() <= 2, "at most 2 permits held at once, saw " + holders.max());
            assertEquals(2, s.availablePermits(), "every permit came back exactly once");
            System.out.printf("Semaphore tryAcquire hammer: %d of %d tryAcquires succeeded on 2 permits, in %d ms%n",
                    taken.get(), (long) threads * iterations, (System.nanoTime() - start) / 1_000_000);
        });
    }

    /**
     * A plain thread holds the only permit and releases it, after a random pause, just as a task
     * starts to acquire: often between the task finding no permit and the task queueing itself.
     * A release that lands there must not be left in the count while the task waits, since
     * nobody else will release again.
     */
    @Test
    void aReleaseRacingATaskThatIsAboutToQueueIsNeverLost() {
        int rounds = 5_000;
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Semaphore s = new Semaphore(1);
            AtomicInteger go = new AtomicInteger(-1);
            AtomicInteger acquiring = new AtomicInteger(-1);
            AtomicInteger acquired = new AtomicInteger(-1);
            long deadline = Spin.deadline(Duration.ofSeconds(50));
            long start = System.nanoTime();
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(4).build()) {
                JoinHandle<Void> task = rt.spawn(new AcquireEachRound(s, rounds, go, acquiring, acquired));
                for (int r = 0; r < rounds; r++) {
                    int round = r;
                    Semaphore.Permit[] held = new Semaphore.Permit[1];
                    Spin.until(() -> (held[0] = tryAcquire(s)) != null, deadline, "the permit back in round " + round);
                    go.set(round);
                    Spin.until(() -> acquiring.get() == round, deadline, "the task to start round " + round);
                    Spin.jitter(16);
                    held[0].close();
                    Spin.until(() -> acquired.get() == round, deadline, "the task to get the permit in round " + round);
                }
                rt.blockOn(task);
            }
            assertEquals(1, s.availablePermits());
            assertEquals(0, s.waiterCount());
            System.out.printf("Semaphore release race: %d rounds in %d ms%n", rounds, (System.nanoTime() - start) / 1_000_000);
        });
    }

    private static Semaphore.Permit tryAcquire(Semaphore s) {
        try {
            return s.tryAcquire().orElse(null);
        } catch (SemaphoreClosedException e) {
            throw new AssertionError(e);
        }
    }

    /** Each round: waits for {@code go}, announces itself, pauses randomly, acquires, releases. */
    private static final class AcquireEachRound implements Async<Void> {
        private final Semaphore s;
        private final int rounds;
        private final AtomicInteger go;
        private final AtomicInteger acquiring;
        private final AtomicInteger acquired;
        private int round;
        private Async<Semaphore.Permit> acquire;

        AcquireEachRound(Semaphore s, int rounds, AtomicInteger go, AtomicInteger acquiring, AtomicInteger acquired) {
            this.s = s;
            this.rounds = rounds;
            this.go = go;
            this.acquiring = acquiring;
            this.acquired = acquired;
        }

        @Override
        public Poll<Void> poll(Context cx) throws Exception {
            for (;;) {
                if (round == rounds) {
                    return Poll.ready(null);
                }
                if (acquire == null) {
                    if (go.get() < round) {
                        cx.waker().wake();
                        return Poll.pending();
                    }
                    acquire = s.acquire();
                    acquiring.set(round);
                    Spin.jitter(16);
                }
                Poll<Semaphore.Permit> p = acquire.poll(cx);
                if (p.isPending()) {
                    return Poll.pending();
                }
                p.value().close();
                acquire = null;
                acquired.set(round);
                round++;
            }
        }
    }

    /** The permits held right now across all holders, the most ever held at once, and the waits. */
    static final class Holders {
        private final AtomicInteger now = new AtomicInteger();
        private final AtomicInteger max = new AtomicInteger();
        private final AtomicLong waits = new AtomicLong();

        void take(int n) {
            int held = now.addAndGet(n);
            max.accumulateAndGet(held, Math::max);
        }

        /** Called before the permit is closed, so nobody can take it while it is still counted. */
        void give(int n) {
            now.addAndGet(-n);
        }

        int max() {
            return max.get();
        }

        void waited() {
            waits.incrementAndGet();
        }

        long waits() {
            return waits.get();
        }
    }

    /**
     * Acquires 1 to 3 permits, holds them across one reschedule (so other tasks run meanwhile),
     * releases them, {@code rounds} times. With {@code giveUpEvery > 0} it cancels a pending
     * acquisition every that many pending polls and queues again. Cancelling the loop closes what
     * it holds and cancels what it waits for, as a task's cleanup must.
     */
    static final class HoldLoop implements Async<Void> {
        private final Semaphore s;
        private final int id;
        private final int rounds;
        private final int giveUpEvery;
        private final Holders holders;
        private final AtomicLong giveUps;
        private CountDownLatch firstHold = new CountDownLatch(0);
        private int round;
        private int pendings;
        private Async<Semaphore.Permit> acquiring;
        private Semaphore.Permit permit;
        private boolean rescheduled;

        HoldLoop(Semaphore s, int id, int rounds, int giveUpEvery, Holders holders, AtomicLong giveUps) {
            this.s = s;
            this.id = id;
            this.rounds = rounds;
            this.giveUpEvery = giveUpEvery;
            this.holders = holders;
            this.giveUps = giveUps;
        }

        HoldLoop onFirstHold(CountDownLatch latch) {
            firstHold = latch;
            return this;
        }

        private int wanted() {
            return 1 + (id + round) % PERMITS;
        }

        @Override
        public Poll<Void> poll(Context cx) throws Exception {
            for (;;) {
                if (permit == null) {
                    if (round == rounds) {
                        return Poll.ready(null);
                    }
                    if (acquiring == null) {
                        acquiring = s.acquire(wanted());
                    }
                    Poll<Semaphore.Permit> p = acquiring.poll(cx);
                    if (p.isPending()) {
                        holders.waited();
                    }
                    if (p.isPending() && giveUpEvery > 0 && ++pendings % giveUpEvery == 0) {
                        acquiring.cancel();
                        giveUps.incrementAndGet();
                        acquiring = s.acquire(wanted());
                        p = acquiring.poll(cx);
                    }
                    if (p.isPending()) {
                        return Poll.pending();
                    }
                    permit = p.value();
                    acquiring = null;
                    holders.take(permit.count());
                    firstHold.countDown();
                    rescheduled = false;
                }
                if (!rescheduled) {
                    rescheduled = true;
                    cx.waker().wake();
                    return Poll.pending();
                }
                holders.give(permit.count());
                permit.close();
                permit = null;
                round++;
            }
        }

        @Override
        public void cancel() {
            if (acquiring != null) {
                acquiring.cancel();
            }
            if (permit != null) {
                holders.give(permit.count());
                permit.close();
            }
        }
    }
}
