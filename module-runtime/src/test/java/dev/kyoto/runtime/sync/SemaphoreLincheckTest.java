package dev.kyoto.runtime.sync;

import static dev.kyoto.runtime.sync.Loom.blockOn;
import static dev.kyoto.runtime.sync.Loom.fork;
import static dev.kyoto.runtime.sync.Loom.model;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Model checks of {@link Semaphore}: its non-waiting operations are linearizable to a counter,
 * and Tokio's {@code loom_semaphore_batch.rs} models (ported below) check the waiting side: no
 * lost wake-up, never more permits out than exist, and permits conserved through release,
 * close and cancel (a cancelled acquisition leaves nothing queued and gives back what it was
 * assigned).
 */
@Tag("lincheck")
class SemaphoreLincheckTest {

    // ---------------------------------------------------------------- linearizability

    /** tryAcquire, release, addPermits, close and availablePermits from three threads. */
    @Param(name = "n", gen = IntGen.class, conf = "1:3")
    public static class Counter {
        private final Semaphore semaphore = new Semaphore(2);

        /** Takes permits and keeps them (they are given back by {@link #release}, as any permit's close does). */
        @Operation
        public boolean tryAcquire(@Param(name = "n") int n) throws SemaphoreClosedException {
            return semaphore.tryAcquire(n).isPresent();
        }

        @Operation
        public void release(@Param(name = "n") int n) {
            semaphore.release(n);
        }

        @Operation
        public void addPermits(@Param(name = "n") int n) {
            semaphore.addPermits(n);
        }

        @Operation
        public int availablePermits() {
            return semaphore.availablePermits();
        }

        @Operation
        public void close() {
            semaphore.close();
        }
    }

    /** The sequential model of {@link Counter}. */
    public static class CounterModel {
        private int available = 2;
        private boolean closed;

        public boolean tryAcquire(int n) throws SemaphoreClosedException {
            if (closed) {
                throw new SemaphoreClosedException();
            }
            if (available < n) {
                return false;
            }
            available -= n;
            return true;
        }

        public void release(int n) {
            available += n;
        }

        public void addPermits(int n) {
            available += n;
        }

        public int availablePermits() {
            return available;
        }

        public void close() {
            closed = true;
        }
    }

    @Test
    void nonWaitingOperationsAreLinearizable() {
        new ModelCheckingOptions()
                .sequentialSpecification(CounterModel.class)
                .threads(3)
                .actorsBefore(1)
                .actorsPerThread(2)
                .actorsAfter(1)
                .iterations(3 * Loom.SCALE)
                .invocationsPerIteration(150)
                .check(Counter.class);
    }

    // ---------------------------------------------------------------- loom's models

    /** Tokio's {@code basic_usage}: three tasks share two permits; never more than two hold one. */
    @Test
    void neverMorePermitsOutThanExist() {
        model(100, () -> {
            Semaphore semaphore = new Semaphore(2);
            AtomicInteger active = new AtomicInteger();
            Loom.Body actor = () -> {
                Semaphore.Permit p = blockOn(semaphore.acquire());
                int now = active.incrementAndGet();
                assertTrue(now <= 2, now + " tasks hold one of 2 permits");
                active.decrementAndGet();
                p.close();
            };
            Loom.Forked a = fork(actor);
            Loom.Forked b = fork(actor);
            actor.run();
            a.join();
            b.join();
            assertEquals(2, semaphore.availablePermits());
            assertEquals(0, semaphore.waiterCount());
        });
    }

    /** Tokio's {@code release}: a waiter is woken by the release of the only permit. */
    @Test
    void releaseWakesTheWaiter() {
        model(100, () -> {
            Semaphore semaphore = new Semaphore(1);
            Loom.Forked th = fork(() -> blockOn(semaphore.acquire()).close());
            blockOn(semaphore.acquire()).close();
            th.join();
            assertEquals(1, semaphore.availablePermits());
        });
    }

    /** Tokio's {@code basic_closing}: close wakes every waiter, which then fails; nobody hangs. */
    @Test
    void closeWakesEveryWaiter() {
        model(100, () -> {
            Semaphore semaphore = new Semaphore(1);
            Loom.Body user = () -> {
                for (int i = 0; i < 2; i++) {
                    Semaphore.Permit p;
                    try {
                        p = blockOn(semaphore.acquire());
                    } catch (SemaphoreClosedException e) {
                        return;
                    }
                    p.close();
                }
            };
            Loom.Forked a = fork(user);
            Loom.Forked b = fork(user);
            semaphore.close();
            a.join();
            b.join();
            assertEquals(0, semaphore.waiterCount());
            assertEquals(1, semaphore.availablePermits(), "a permit was lost or made up across the close");
        });
    }

    /**
     * Tokio's {@code concurrent_cancel}: tasks poll two acquisitions of an empty semaphore once
     * and cancel both (or give back what a poll got), while permits are released; every permit
     * ends up back in the count.
     */
    @Test
    void cancelledAcquisitionsGiveBackWhatTheyWereAssigned() {
        model(100, () -> {
            Semaphore semaphore = new Semaphore(0);
            Loom.Body pollAndCancel = () -> {
                Context cx = new Context(new Loom.ParkingWaker());
                Async<Semaphore.Permit> a1 = semaphore.acquire();
                Async<Semaphore.Permit> a2 = semaphore.acquire();
                Poll<Semaphore.Permit> p1 = a1.poll(cx);
                Poll<Semaphore.Permit> p2 = a2.poll(cx);
                if (p1.isReady()) {
                    p1.value().close();
                } else {
                    a1.cancel();
                }
                if (p2.isReady()) {
                    p2.value().close();
                } else {
                    a2.cancel();
                }
            };
            Loom.Forked t1 = fork(pollAndCancel);
            Loom.Forked t2 = fork(pollAndCancel);
            semaphore.release(3);
            t1.join();
            t2.join();
            assertEquals(3, semaphore.availablePermits());
            assertEquals(0, semaphore.waiterCount());
        });
    }

    /** Tokio's {@code batch}: two tasks acquire 4, 10 and 8 of 10 permits in turn. */
    @Test
    void batchAcquisitionsNeverOverlapBeyondTheTotal() {
        model(100, () -> {
            Semaphore semaphore = new Semaphore(10);
            AtomicInteger active = new AtomicInteger();
            Loom.Body user = () -> {
                for (int n : new int[] {4, 10, 8}) {
                    Semaphore.Permit p = blockOn(semaphore.acquire(n));
                    int now = active.addAndGet(n);
                    assertTrue(now <= 10, now + " permits out of 10 are held");
                    active.addAndGet(-n);
                    p.close();
                }
            };
            Loom.Forked a = fork(user);
            user.run();
            a.join();
            assertEquals(10, semaphore.availablePermits());
        });
    }

    /** Tokio's {@code release_during_acquire}: a queued acquisition is served by a concurrent release. */
    @Test
    void releaseDuringAcquire() {
        model(100, () -> {
            Semaphore semaphore = new Semaphore(10);
            Optional<Semaphore.Permit> eight = semaphore.tryAcquire(8);
            assertTrue(eight.isPresent());
            Loom.Forked th = fork(() -> blockOn(semaphore.acquire(4)).close());
            eight.get().close();
            th.join();
            assertEquals(10, semaphore.availablePermits());
        });
    }

    /**
     * A waiter for three permits holds two assigned ones when it cancels, while a waiter for one
     * queues behind it and permits are released: the cancelled waiter's permits go on to the next
     * waiter or back to the count, so the second waiter completes and nothing is lost.
     */
    @Test
    void cancelWithAPartialAssignmentPassesThePermitsOn() {
        model(100, () -> {
            Semaphore semaphore = new Semaphore(0);
            Async<Semaphore.Permit> big = semaphore.acquire(3);
            Context cx = new Context(new Loom.ParkingWaker());
            assertTrue(big.poll(cx).isPending());
            Loom.Forked small = fork(() -> blockOn(semaphore.acquire(1)).close());
            Loom.Forked releaser = fork(() -> semaphore.release(2));
            big.cancel();
            releaser.join();
            small.join();
            assertEquals(2, semaphore.availablePermits());
            assertEquals(0, semaphore.waiterCount());
        });
    }
}
