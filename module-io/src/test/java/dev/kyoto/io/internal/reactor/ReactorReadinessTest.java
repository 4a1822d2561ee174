package dev.kyoto.io.internal.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.io.Interest;
import dev.kyoto.runtime.Context;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The edge emulation over a level-triggered selector, on a real pipe. */
class ReactorReadinessTest {
    private Selector selector;
    private SelectorReactor reactor;
    private Pipe pipe;
    private final AtomicInteger wakes = new AtomicInteger();
    private final Context cx = new Context(wakes::incrementAndGet);

    @BeforeEach
    void open() throws IOException {
        selector = Selector.open();
        reactor = new SelectorReactor(selector);
        pipe = Pipe.open();
    }

    @AfterEach
    void close() throws IOException {
        pipe.source().close();
        pipe.sink().close();
        reactor.shutdown();
    }

    @Test
    void readInterestStaysArmedWhenTheTaskDrains() throws IOException {
        Registration r = reactor.register(pipe.source(), Interest.READABLE);
        ScheduledIoProbe probe = new ScheduledIoProbe(pipe.source().keyFor(selector));
        for (int round = 0; round < 100; round++) {
            assertEquals(Registration.PENDING, r.pollReadReady(cx));
            pipe.sink().write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            reactor.park(-1);
            assertEquals(round + 1, wakes.get());
            int event = r.pollReadReady(cx);
            assertNotEquals(Registration.PENDING, event);
            ByteBuffer buf = ByteBuffer.allocate(16);
            pipe.source().read(buf);
            assertEquals(0, pipe.source().read(buf));
            r.clearReadReady(event);
            assertEquals(SelectionKey.OP_READ, probe.interestOps(), "no interest change in the common case");
        }
    }

    @Test
    void undrainedReadinessInABlockingTurnDisarmsReadUntilTheClear() throws IOException {
        Registration r = reactor.register(pipe.source(), Interest.READABLE);
        ScheduledIoProbe probe = new ScheduledIoProbe(pipe.source().keyFor(selector));
        pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
        reactor.park(-1);
        int event = r.pollReadReady(cx);
        assertNotEquals(Registration.PENDING, event);
        // The task has not read yet; a blocking turn would otherwise return at once forever.
        reactor.park(-1);
        assertEquals(0, probe.interestOps(), "read interest disarmed while readiness is undrained");
        ByteBuffer buf = ByteBuffer.allocate(16);
        pipe.source().read(buf);
        r.clearReadReady(r.pollReadReady(cx));
        assertEquals(SelectionKey.OP_READ, probe.interestOps(), "the clear re-arms read interest");
        assertEquals(Registration.PENDING, r.pollReadReady(cx));
    }

    /**
     * A reader that was woken and has not run yet (a virtual thread waiting for a carrier) is
     * not a reader that stopped reading: read stays armed while its wake is in flight, for a
     * bounded number of turns, and the turns add no readiness and no wake.
     */
    @Test
    void aWokenReaderThatHasNotRunYetKeepsReadArmedForABoundedNumberOfTurns() throws IOException {
        Registration r = reactor.register(pipe.source(), Interest.READABLE);
        ScheduledIoProbe probe = new ScheduledIoProbe(pipe.source().keyFor(selector));
        assertEquals(Registration.PENDING, r.pollReadReady(cx));
        pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
        reactor.park(-1);
        assertEquals(1, wakes.get());
        for (int turn = 1; turn <= SelectorReactor.MAX_IN_FLIGHT_TURNS; turn++) {
            // Level-triggered: the undrained pipe is reported again at once.
            reactor.park(-1);
            assertEquals(SelectionKey.OP_READ, probe.interestOps(), "read stays armed in in-flight turn " + turn);
            assertEquals(1, wakes.get(), "no second wake for the same readiness");
        }
        reactor.park(-1);
        assertEquals(0, probe.interestOps(), "a reader that never comes: read is disarmed after the bounded turns");
        int event = r.pollReadReady(cx);
        assertNotEquals(Registration.PENDING, event);
        pipe.source().read(ByteBuffer.allocate(16));
        r.clearReadReady(event);
        assertEquals(SelectionKey.OP_READ, probe.interestOps(), "the clear re-arms read interest");
    }

    @Test
    void writeInterestIsArmedOnlyAfterAWriteWouldBlock() throws IOException {
        Registration w = reactor.register(pipe.sink(), Interest.WRITABLE);
        ScheduledIoProbe probe = new ScheduledIoProbe(pipe.sink().keyFor(selector));
        assertEquals(0, probe.interestOps(), "a new registration starts writable with no write interest");
        int event = w.pollWriteReady(cx);
        assertNotEquals(Registration.PENDING, event);
        ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
        while (pipe.sink().write(chunk.clear()) > 0) {
            event = w.pollWriteReady(cx);
        }
        w.clearWriteReady(event);
        assertEquals(SelectionKey.OP_WRITE, probe.interestOps());
        assertEquals(Registration.PENDING, w.pollWriteReady(cx));
        pipe.source().configureBlocking(false);
        ByteBuffer drain = ByteBuffer.allocate(1 << 20);
        while (pipe.source().read(drain.clear()) > 0) {
            drain.clear();
        }
        int before = wakes.get();
        reactor.park(-1);
        assertTrue(wakes.get() > before, "the writer is woken when the pipe drains");
        assertEquals(0, probe.interestOps(), "write interest is disarmed when it fires");
        assertNotEquals(Registration.PENDING, w.pollWriteReady(cx));
    }

    @Test
    void unparkCostsAtMostOneWakeupPerSleepAndNoneWhileAwake() throws Exception {
        Thread parked = Thread.ofPlatform().start(() -> reactor.park(-1));
        while (parked.isAlive()) {
            reactor.unpark();
            Thread.onSpinWait();
        }
        long wakeups = reactor.wakeupCount();
        assertTrue(wakeups <= 1, "at most one selector wakeup per sleep, was " + wakeups);
        reactor.unpark();
        reactor.park(-1);
        assertEquals(wakeups, reactor.wakeupCount(), "an unpark while awake makes the next park return at once, with no wakeup");
    }

    /** Reads the interest ops the JDK holds for a key. */
    private record ScheduledIoProbe(SelectionKey key) {
        int interestOps() {
            return key.interestOps();
        }
    }
}
