package dev.kyoto.io.internal.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.io.Interest;
import dev.kyoto.runtime.Context;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A park that spins before it blocks, on a real pipe and real threads: it delivers what comes
 * while it spins without a selector wakeup, ends at once on an unpark, and loses no event at the
 * seam between spinning and blocking.
 */
class SpinningParkTest {
    /** Long enough that a test acts during the spin, however slow the machine: 20 s. */
    private static final long LONG_SPIN = 20_000_000_000L;

    private Pipe pipe;
    private SelectorReactor reactor;
    private SpinPolicy policy;
    private final AtomicInteger wakes = new AtomicInteger();
    private final Context cx = new Context(wakes::incrementAndGet);

    @BeforeEach
    void open() throws IOException {
        pipe = Pipe.open();
    }

    @AfterEach
    void close() throws IOException {
        pipe.source().close();
        pipe.sink().close();
        reactor.shutdown();
    }

    private void reactorSpinning(long spinNanos) throws IOException {
        policy = new SpinPolicy(spinNanos);
        reactor = new SelectorReactor(Selector.open(), policy);
        // What a single event 30 µs into a blocking park tells the policy: spin next time.
        policy.blocked(1, 30_000);
    }

    @Test
    void anEventThatComesDuringTheSpinIsDeliveredWithoutAWakeup() throws Exception {
        reactorSpinning(LONG_SPIN);
        Registration r = reactor.register(pipe.source(), Interest.READABLE);
        assertEquals(Registration.PENDING, r.pollReadReady(cx));
        long turnsBefore = reactor.turnCount();
        Thread parker = Thread.ofPlatform().start(() -> reactor.park(-1));
        awaitSpinning(turnsBefore);
        pipe.sink().write(ByteBuffer.wrap(new byte[] {7}));
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> parker.join(), "the spin ended when the event came");
        assertEquals(1, wakes.get(), "the reader is woken");
        assertNotEquals(Registration.PENDING, r.pollReadReady(cx));
        assertEquals(0, reactor.wakeupCount(), "a spinning park needs no selector wakeup");
    }

    @Test
    void anUnparkEndsTheSpin() throws Exception {
        reactorSpinning(LONG_SPIN);
        long turnsBefore = reactor.turnCount();
        long[] returnedAt = new long[1];
        Thread parker = Thread.ofPlatform().start(() -> {
            reactor.park(-1);
            returnedAt[0] = System.nanoTime();
        });
        awaitSpinning(turnsBefore);
        long unparkedAt = System.nanoTime();
        reactor.unpark();
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> parker.join(), "the unpark ended the spin");
        assertTrue(returnedAt[0] - unparkedAt < LONG_SPIN,
                "the park returned " + (returnedAt[0] - unparkedAt) / 1_000 + " µs after the unpark, "
                        + "not at the end of its " + LONG_SPIN / 1_000 + " µs spin");
        assertEquals(0, reactor.wakeupCount());
    }

    @Test
    void aSpinThatCatchesNothingGoesOnToBlockAndIsWokenByTheEvent() throws Exception {
        reactorSpinning(20_000);
        Registration r = reactor.register(pipe.source(), Interest.READABLE);
        assertEquals(Registration.PENDING, r.pollReadReady(cx));
        Thread parker = Thread.ofPlatform().start(() -> reactor.park(-1));
        // The spin is over and the thread is in, or about to enter, the blocking select.
        while (!reactor.parked()) {
            Thread.onSpinWait();
        }
        pipe.sink().write(ByteBuffer.wrap(new byte[] {7}));
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> parker.join());
        assertEquals(1, wakes.get());
    }

    /**
     * Many parks against a writer that writes after a random delay of 0 to 100 µs, so that the
     * event lands before the park, during the spin, at the switch to blocking, and during the
     * block: every park must return with the event, whichever it was.
     */
    @Test
    void noEventIsLostAtAnyPointOfTheSpin() throws Exception {
        reactorSpinning(50_000);
        Registration r = reactor.register(pipe.source(), Interest.READABLE);
        ByteBuffer drain = ByteBuffer.allocate(64);
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int round = 0; round < 3_000; round++) {
                long delay = ThreadLocalRandom.current().nextLong(100_000);
                Thread writer = Thread.ofPlatform().start(() -> {
                    LockSupport.parkNanos(delay);
                    try {
                        pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                int woken = wakes.get();
                int event;
                while ((event = r.pollReadReady(cx)) == Registration.PENDING) {
                    reactor.park(-1);
                }
                writer.join();
                assertEquals(woken + 1, wakes.get(), "round " + round + ": the reader is woken once");
                drain.clear();
                while (pipe.source().read(drain) > 0) {
                    drain.clear();
                }
                r.clearReadReady(event);
                // Keep the policy spinning for the next round, whatever this one taught it.
                policy.spinCaught(1, 30_000);
            }
        });
    }

    /** Waits until the parked thread has polled a few times without blocking. */
    private void awaitSpinning(long turnsBefore) {
        while (reactor.turnCount() < turnsBefore + 3) {
            Thread.onSpinWait();
        }
    }
}
