package dev.kyoto.io.internal.reactor;

import static dev.kyoto.io.internal.reactor.Loom.blockOn;
import static dev.kyoto.io.internal.reactor.Loom.fork;
import static dev.kyoto.io.internal.reactor.Loom.model;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.io.Ready;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Model checks of {@link ScheduledIo} and the multi-waiter path ({@link ReadinessWaiters} through
 * {@link Registration#pollReadiness}), with the reactor played by a thread that does what
 * {@code SelectorReactor} does for an event: {@code setReadiness} then {@code wake}.
 *
 * <p>The properties are Tokio's for its {@code ScheduledIo}: a task that waits for readiness is
 * woken (a lost wake-up is a deadlock Lincheck reports); the tick-guarded clear never discards
 * readiness that arrived after the task observed the event it clears; close and shutdown release
 * every waiter; a cancelled wait leaves nothing queued.
 */
@Tag("lincheck")
class ScheduledIoLincheckTest {
    private static final int R = Ready.READABLE.bits();
    private static final int W = Ready.WRITABLE.bits();

    /** A real key, only so that a closed registration can name its channel in the error. */
    private static Selector selector;
    private static Pipe pipe;
    private static SelectionKey key;

    @BeforeAll
    static void openKey() throws IOException {
        selector = Selector.open();
        pipe = Pipe.open();
        pipe.source().configureBlocking(false);
        key = pipe.source().register(selector, 0);
    }

    @AfterAll
    static void closeKey() throws IOException {
        pipe.source().close();
        pipe.sink().close();
        selector.close();
    }

    /** Registration without a reactor: the paths checked here never re-arm interest. */
    private static Registration registration(ScheduledIo io) {
        io.key = key;
        return new Registration(null, io, SelectionKey.OP_READ);
    }

    /** What the reactor does for one event. */
    private static void event(ScheduledIo io, int bits) {
        io.setReadiness(bits);
        io.wake(bits);
    }

    /** The single-slot wait of a reader (or writer): ready with the event word, or pending with the waker stored. */
    private static Async<Integer> ready(ScheduledIo io, int mask, boolean write) {
        return cx -> {
            int e = io.pollReady(cx, mask, write);
            return e == ScheduledIo.PENDING ? Poll.pending() : Poll.ready(e);
        };
    }

    /** A multi-path wait with its own node. */
    private static Async<Integer> readiness(Registration r, ReadinessWaiter node) {
        return cx -> {
            int e = r.pollReadiness(cx, node);
            return e == Registration.PENDING ? Poll.pending() : Poll.ready(e);
        };
    }

    /**
     * The tick-guarded clear: a task saw read readiness and its read would block, so it clears the
     * event it saw, while the reactor reports a newer one. Whatever the order, the newer readiness
     * survives: the final word is readable unless its tick is still the one the task saw.
     */
    @Test
    void clearNeverDiscardsANewerEvent() {
        model(120, () -> {
            ScheduledIo io = new ScheduledIo(0);
            event(io, R);
            int seen = blockOn(ready(io, ScheduledIo.READ_MASK, false));
            Loom.Forked reactor = fork(() -> event(io, R));
            io.clearReadiness(seen, R);
            reactor.join();
            assertNewerReadinessKept(io.word(), seen);
        });
    }

    /**
     * The same while the task waits first: it waits for read readiness and clears what it saw,
     * while the reactor reports two events; it is woken, and no readiness newer than its
     * observation is cleared.
     */
    @Test
    void waitThenClearRacingTwoEvents() {
        model(120, () -> {
            ScheduledIo io = new ScheduledIo(0);
            Loom.Forked reactor = fork(() -> {
                event(io, R);
                event(io, R);
            });
            int seen = blockOn(ready(io, ScheduledIo.READ_MASK, false));
            io.clearReadiness(seen, R);
            reactor.join();
            assertNewerReadinessKept(io.word(), seen);
        });
    }

    private static void assertNewerReadinessKept(int word, int seen) {
        if (ScheduledIo.tick(word) != ScheduledIo.tick(seen)) {
            assertTrue((word & R) != 0, "read readiness set after the task's observation (tick " + ScheduledIo.tick(seen)
                    + ") was cleared; the word is now at tick " + ScheduledIo.tick(word));
        }
    }

    /** One event with both readinesses wakes the reader and the writer, each in its own slot. */
    @Test
    void oneEventWakesTheReaderAndTheWriter() {
        model(120, () -> {
            ScheduledIo io = new ScheduledIo(0);
            Loom.Forked writer = fork(() -> assertTrue((blockOn(ready(io, ScheduledIo.WRITE_MASK, true)) & W) != 0));
            Loom.Forked reactor = fork(() -> event(io, R | W));
            assertTrue((blockOn(ready(io, ScheduledIo.READ_MASK, false)) & R) != 0);
            writer.join();
            reactor.join();
        });
    }

    /**
     * Several tasks wait on the multi-waiter path while the reactor reports readiness: every one
     * is woken and sees it, and no node stays queued.
     */
    @Test
    void everyMultiPathWaiterIsWoken() {
        model(120, () -> {
            ScheduledIo io = new ScheduledIo(0);
            Registration r = registration(io);
            ReadinessWaiter mine = r.newWaiter(R);
            ReadinessWaiter other = r.newWaiter(R);
            Loom.Forked second = fork(() -> assertTrue((blockOn(readiness(r, other)) & R) != 0));
            Loom.Forked reactor = fork(() -> event(io, R));
            assertTrue((blockOn(readiness(r, mine)) & R) != 0);
            second.join();
            reactor.join();
            assertFalse(mine.queued || other.queued, "a woken waiter is still queued");
        });
    }

    /** A multi-path wait cancelled while the reactor wakes it leaves nothing queued. */
    @Test
    void cancelledWaitLeavesNothingQueued() {
        model(120, () -> {
            ScheduledIo io = new ScheduledIo(0);
            Registration r = registration(io);
            ReadinessWaiter node = r.newWaiter(R);
            Context cx = new Context(new Loom.ParkingWaker());
            assertEquals(Registration.PENDING, r.pollReadiness(cx, node));
            Loom.Forked reactor = fork(() -> event(io, R));
            r.cancelWait(node);
            reactor.join();
            assertFalse(node.queued, "the cancelled wait is still queued");
            assertNotEquals(Registration.PENDING, r.pollReadiness(cx, node), "the readiness was lost with the cancelled wait");
        });
    }

    /**
     * The owner closes the resource while a reader waits in its slot and another task waits on
     * the multi-waiter path: both are woken and fail with the closed error.
     */
    @Test
    void closeReleasesEveryWaiter() {
        model(120, () -> {
            ScheduledIo io = new ScheduledIo(0);
            Registration r = registration(io);
            ReadinessWaiter node = r.newWaiter(R);
            Loom.Forked multi = fork(() -> assertThrows(IOException.class, () -> blockOn(readiness(r, node))));
            Loom.Forked closer = fork(io::close);
            int w = blockOn(ready(io, ScheduledIo.READ_MASK, false));
            assertTrue(ScheduledIo.isClosed(w), "the reader was released without the closed state");
            multi.join();
            closer.join();
            assertFalse(node.queued);
        });
    }

    /**
     * More waiters than one wake batch (32) and a cancel among them while the reactor wakes them
     * in batches: every other waiter is woken exactly once, and nothing stays queued.
     */
    @Test
    void wakesInBatchesReachEveryWaiter() {
        model(60, () -> {
            ScheduledIo io = new ScheduledIo(0);
            Registration r = registration(io);
            int n = 34;
            ReadinessWaiter[] nodes = new ReadinessWaiter[n];
            Loom.ParkingWaker[] wakers = new Loom.ParkingWaker[n];
            for (int i = 0; i < n; i++) {
                nodes[i] = r.newWaiter(R);
                wakers[i] = new Loom.ParkingWaker();
                assertEquals(Registration.PENDING, r.pollReadiness(new Context(wakers[i]), nodes[i]));
            }
            Loom.Forked reactor = fork(() -> event(io, R));
            r.cancelWait(nodes[n - 1]);
            reactor.join();
            for (int i = 0; i < n - 1; i++) {
                assertEquals(1, wakers[i].wakes(), "wakes of waiter " + i);
                assertFalse(nodes[i].queued);
            }
            assertFalse(nodes[n - 1].queued, "the cancelled waiter is still queued");
        });
    }
}
