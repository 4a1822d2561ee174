package dev.kyoto.io.internal.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.io.Ready;
import dev.kyoto.runtime.Context;
import java.time.Duration;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ScheduledIoTest {
    private static final int R = Ready.READABLE.bits();
    private static final int W = Ready.WRITABLE.bits();

    @Test
    void aClearWithAStaleTickIsDiscarded() {
        ScheduledIo io = new ScheduledIo(0);
        io.setReadiness(R);
        int observed = io.word();
        io.setReadiness(R);
        assertFalse(io.clearReadiness(observed, R), "readiness set after the observation must survive");
        assertTrue((io.word() & R) != 0);
        assertTrue(io.clearReadiness(io.word(), R));
        assertEquals(0, ScheduledIo.readiness(io.word()));
    }

    @Test
    void theTickWrapsAt15Bits() {
        ScheduledIo io = new ScheduledIo(0);
        for (int i = 0; i < ScheduledIo.TICK_MAX; i++) {
            io.setReadiness(R);
        }
        assertEquals(ScheduledIo.TICK_MAX, ScheduledIo.tick(io.word()));
        io.setReadiness(R);
        assertEquals(0, ScheduledIo.tick(io.word()));
        assertFalse(ScheduledIo.isShutdown(io.word()), "the tick never spills into the shutdown bit");
    }

    @Test
    void aClearNeverDropsTheShutdownBitOrTheClosedStates() {
        ScheduledIo io = new ScheduledIo(0);
        io.setReadiness(R | Ready.READ_CLOSED.bits() | W);
        int observed = io.word();
        io.shutdown();
        assertTrue(ScheduledIo.isShutdown(io.word()));
        int afterShutdown = io.word();
        assertTrue(io.clearReadiness(afterShutdown, Ready.ALL.bits()));
        assertTrue(ScheduledIo.isShutdown(io.word()), "shutdown survives a clear");
        assertTrue((io.word() & Ready.READ_CLOSED.bits()) != 0, "read-closed is sticky");
        assertEquals(0, io.word() & (R | W));
        assertTrue(ScheduledIo.tick(observed) == ScheduledIo.tick(afterShutdown), "shutdown does not bump the tick");
    }

    @Test
    void pollReadyStoresTheWakerAndTheReactorWakesIt() {
        ScheduledIo io = new ScheduledIo(0);
        AtomicInteger reads = new AtomicInteger();
        AtomicInteger writes = new AtomicInteger();
        Context reader = new Context(reads::incrementAndGet);
        Context writer = new Context(writes::incrementAndGet);
        assertEquals(ScheduledIo.PENDING, io.pollReady(reader, ScheduledIo.READ_MASK, false));
        assertEquals(ScheduledIo.PENDING, io.pollReady(writer, ScheduledIo.WRITE_MASK, true));
        io.setReadiness(R);
        io.wake(R);
        assertEquals(1, reads.get());
        assertEquals(0, writes.get(), "read readiness does not wake the writer");
        io.wake(R);
        assertEquals(1, reads.get(), "a waker is taken when woken, so it is woken once");
        assertTrue(io.pollReady(reader, ScheduledIo.READ_MASK, false) != ScheduledIo.PENDING);
        io.shutdown();
        assertEquals(1, writes.get(), "shutdown wakes every waiter");
        assertTrue(io.pollReady(writer, ScheduledIo.WRITE_MASK, true) < 0, "a shut-down resource is always ready, with the shutdown bit");
    }

    /**
     * A producer publishes read events one at a time and waits until each is taken; a consumer
     * observes the word, takes the event and clears with the tick it observed; a third thread
     * keeps setting write readiness, so ticks move under the consumer's feet. If a clear ever
     * dropped a read event that arrived after its observation, the producer would wait forever
     * and the test would time out (checked: it does, with the tick comparison removed).
     */
    @Test
    void concurrentSetAndClearNeverLoseAnEvent() {
        int events = 300_000;
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            ScheduledIo io = new ScheduledIo(0);
            AtomicBoolean pending = new AtomicBoolean();
            AtomicBoolean done = new AtomicBoolean();
            CyclicBarrier start = new CyclicBarrier(3);
            Thread producer = Thread.ofPlatform().start(() -> {
                await(start);
                for (int i = 0; i < events; i++) {
                    pending.set(true);
                    io.setReadiness(R);
                    while (pending.get()) {
                        Thread.onSpinWait();
                    }
                }
                done.set(true);
            });
            Thread noise = Thread.ofPlatform().start(() -> {
                await(start);
                while (!done.get()) {
                    io.setReadiness(W);
                    Thread.yield();
                }
            });
            await(start);
            long taken = 0;
            while (taken < events) {
                int w = io.word();
                if ((w & R) != 0) {
                    if (pending.getAndSet(false)) {
                        taken++;
                    }
                    io.clearReadiness(w, R);
                } else {
                    Thread.onSpinWait();
                }
            }
            producer.join();
            noise.join();
            assertEquals(events, taken);
        });
    }

    @Test
    void concurrentClearsNeverDropShutdown() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int round = 0; round < 2_000; round++) {
                ScheduledIo io = new ScheduledIo(0);
                CyclicBarrier start = new CyclicBarrier(2);
                Thread clearer = Thread.ofPlatform().start(() -> {
                    await(start);
                    for (int i = 0; i < 200; i++) {
                        io.setReadiness(R);
                        io.clearReadiness(io.word(), Ready.ALL.bits());
                    }
                });
                await(start);
                io.shutdown();
                clearer.join();
                assertTrue(ScheduledIo.isShutdown(io.word()), "round " + round);
            }
        });
    }

    private static void await(CyclicBarrier b) {
        try {
            b.await();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
