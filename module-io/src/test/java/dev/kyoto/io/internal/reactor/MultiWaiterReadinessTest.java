package dev.kyoto.io.internal.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kyoto.io.Interest;
import dev.kyoto.io.Ready;
import dev.kyoto.runtime.Context;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The multi-waiter path: many tasks waiting on one resource, each woken on its own. */
class MultiWaiterReadinessTest {
    private static final int READ = Ready.fromInterest(Interest.READABLE).bits();
    private static final int WRITE = Ready.fromInterest(Interest.WRITABLE).bits();

    private SelectorReactor reactor;
    private Pipe pipe;

    @BeforeEach
    void open() throws IOException {
        reactor = new SelectorReactor(Selector.open());
        pipe = Pipe.open();
    }

    @AfterEach
    void close() throws IOException {
        pipe.source().close();
        pipe.sink().close();
        reactor.shutdown();
    }

    /** One waiting task: its node, its context, and how often it was woken. */
    private static final class Waiter {
        final AtomicInteger wakes = new AtomicInteger();
        final Context cx = new Context(wakes::incrementAndGet);
        final ReadinessWaiter node;

        Waiter(Registration r, int mask) {
            node = r.newWaiter(mask);
        }
    }

    private static List<Waiter> waiters(Registration r, int n, int mask) throws IOException {
        List<Waiter> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Waiter w = new Waiter(r, mask);
            assertEquals(Registration.PENDING, r.pollReadiness(w.cx, w.node));
            all.add(w);
        }
        return all;
    }

    @Test
    void everyWaiterIsWokenOnceByOneEvent() throws IOException {
        Registration r = reactor.register(pipe.source(), Interest.READABLE);
        List<Waiter> all = waiters(r, 100, READ);
        assertEquals(Registration.PENDING, r.pollReadiness(all.get(0).cx, all.get(0).node), "re-polling a waiting node keeps it waiting");
        pipe.sink().write(ByteBuffer.wrap(new byte[] {7}));
        reactor.park(-1);
        for (Waiter w : all) {
            assertEquals(1, w.wakes.get());
            int event = r.pollReadiness(w.cx, w.node);
            assertNotEquals(Registration.PENDING, event);
            assertEquals(Ready.READABLE, Registration.readiness(event));
        }
    }

    @Test
    void anEventWakesOnlyTheWaitersItSatisfies() throws IOException {
        Registration r = reactor.register(pipe.sink(), Interest.WRITABLE);
        ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
        int event = r.readyEvent(WRITE);
        while (pipe.sink().write(chunk.clear()) > 0) {
            event = r.readyEvent(WRITE);
        }
        r.clearReadiness(event, WRITE);
        List<Waiter> writers = waiters(r, 10, WRITE);
        List<Waiter> readers = waiters(r, 10, READ);
        pipe.source().configureBlocking(false);
        ByteBuffer drain = ByteBuffer.allocate(1 << 20);
        while (pipe.source().read(drain.clear()) > 0) {
            drain.clear();
        }
        reactor.park(-1);
        writers.forEach(w -> assertEquals(1, w.wakes.get(), "writers are woken"));
        readers.forEach(w -> assertEquals(0, w.wakes.get(), "readers are not woken by write readiness"));
        for (Waiter w : readers) {
            assertEquals(Registration.PENDING, r.pollReadiness(w.cx, w.node), "readers still wait");
        }
    }

    @Test
    void aCancelledWaitIsNotWokenAndLeavesNothingQueued() throws IOException {
        Registration r = reactor.register(pipe.source(), Interest.READABLE);
        List<Waiter> all = waiters(r, 10, READ);
        for (int i = 0; i < all.size(); i += 2) {
            r.cancelWait(all.get(i).node);
        }
        pipe.sink().write(ByteBuffer.wrap(new byte[] {7}));
        reactor.park(-1);
        for (int i = 0; i < all.size(); i++) {
            assertEquals(i % 2 == 0 ? 0 : 1, all.get(i).wakes.get(), "waiter " + i);
        }
    }

    @Test
    void closingWakesEveryWaiterOfBothPathsAndFailsTheirWaits() throws IOException {
        Registration r = reactor.register(pipe.source(), Interest.READABLE);
        List<Waiter> all = waiters(r, 5, READ);
        Waiter slot = new Waiter(r, READ);
        assertEquals(Registration.PENDING, r.pollReadReady(slot.cx));
        r.deregister();
        assertEquals(1, slot.wakes.get(), "the single-slot reader is woken");
        for (Waiter w : all) {
            assertEquals(1, w.wakes.get());
            IOException e = assertThrows(IOException.class, () -> r.pollReadiness(w.cx, w.node));
            assertEquals("stream closed", e.getMessage());
        }
        assertEquals("stream closed", assertThrows(IOException.class, () -> r.pollReadReady(slot.cx)).getMessage());
        assertEquals("stream closed", assertThrows(IOException.class, () -> r.readyEvent(READ)).getMessage());
    }

    @Test
    void shutdownWakesEveryWaiterWithTheShutdownError() throws IOException {
        Registration r = reactor.register(pipe.source(), Interest.READABLE);
        List<Waiter> all = waiters(r, 5, READ);
        reactor.shutdown();
        for (Waiter w : all) {
            assertEquals(1, w.wakes.get());
            IOException e = assertThrows(IOException.class, () -> r.pollReadiness(w.cx, w.node));
            assertEquals("the Kyoto runtime is shutting down", e.getMessage());
        }
    }

    @Test
    void aWaiterQueuedAfterTheReactorPublishedReadinessSeesIt() throws IOException {
        Registration r = reactor.register(pipe.source(), Interest.READABLE);
        Waiter early = waiters(r, 1, READ).get(0);
        pipe.sink().write(ByteBuffer.wrap(new byte[] {7}));
        reactor.park(-1);
        Waiter late = new Waiter(r, READ);
        assertNotEquals(Registration.PENDING, r.pollReadiness(late.cx, late.node), "readiness already set is returned at once");
        assertEquals(1, early.wakes.get());
    }
}
