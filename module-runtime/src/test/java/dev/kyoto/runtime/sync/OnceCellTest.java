package dev.kyoto.runtime.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OnceCellTest {

    @Test
    void setSucceedsOnceAndGetReadsIt() {
        OnceCell<String> cell = new OnceCell<>();
        assertEquals(Optional.empty(), cell.get());
        assertFalse(cell.isInitialized());
        assertTrue(cell.set("a"));
        assertFalse(cell.set("b"));
        assertEquals(Optional.of("a"), cell.get());
        assertTrue(cell.isInitialized());
    }

    @Test
    void getOrInitRunsTheInitializerOnceAndLaterCallsGetTheValue() throws Exception {
        OnceCell<String> cell = new OnceCell<>();
        AtomicInteger inits = new AtomicInteger();
        assertEquals("v", Probe.of(cell.getOrInit(() -> {
            inits.incrementAndGet();
            return Async.ready("v");
        })).ready());
        assertEquals("v", Probe.of(cell.getOrInit(() -> {
            inits.incrementAndGet();
            return Async.ready("other");
        })).ready());
        assertEquals(1, inits.get());
        assertFalse(cell.set("late"));
    }

    @Test
    void callersWaitForTheRunningInitializerAndGetItsValue() throws Exception {
        OnceCell<String> cell = new OnceCell<>();
        Notify done = new Notify();
        AtomicInteger inits = new AtomicInteger();
        Probe<String> first = Probe.of(cell.getOrInit(() -> {
            inits.incrementAndGet();
            return done.notified().map(v -> "first");
        })).pending();
        Probe<String> second = Probe.of(cell.getOrInit(() -> {
            inits.incrementAndGet();
            return Async.ready("second");
        })).pending();
        assertEquals(1, cell.waiterCount());
        assertFalse(cell.set("set"), "set succeeded while an initializer runs");
        done.notifyOne();
        assertEquals("first", first.ready());
        assertTrue(second.woken());
        assertEquals("first", second.ready());
        assertEquals(1, inits.get());
        assertEquals(0, cell.waiterCount());
    }

    @Test
    void aFailingInitializerLeavesTheCellEmptyAndTheNextWaiterTriesItsOwn() throws Exception {
        OnceCell<String> cell = new OnceCell<>();
        Notify fail = new Notify();
        Probe<String> first = Probe.of(cell.getOrInit(() -> fail.notified().map(v -> {
            throw new IOException("resolver down");
        }))).pending();
        Probe<String> second = Probe.of(cell.getOrInit(() -> Async.ready("second"))).pending();
        fail.notifyOne();
        IOException e = assertThrows(IOException.class, first::poll);
        assertEquals("resolver down", e.getMessage());
        assertFalse(cell.isInitialized());
        assertTrue(second.woken());
        assertEquals("second", second.ready());
        assertEquals(Optional.of("second"), cell.get());
    }

    @Test
    void anInitializerThatThrowsOrYieldsNullLetsTheNextTry() throws Exception {
        OnceCell<String> cell = new OnceCell<>();
        assertThrows(IllegalStateException.class, () -> Probe.of(cell.<String>getOrInit(() -> {
            throw new IllegalStateException("no");
        })).poll());
        NullPointerException npe = assertThrows(NullPointerException.class,
                () -> Probe.of(cell.getOrInit(() -> Async.ready(null))).poll());
        assertTrue(npe.getMessage().contains("completed with null"), npe.getMessage());
        assertThrows(NullPointerException.class, () -> Probe.of(cell.getOrInit(() -> null)).poll());
        assertEquals("third", Probe.of(cell.getOrInit(() -> Async.ready("third"))).ready());
    }

    @Test
    void aCancelledInitializerIsCancelledAndTheNextWaiterTriesItsOwn() throws Exception {
        OnceCell<String> cell = new OnceCell<>();
        Notify never = new Notify();
        Probe<String> first = Probe.of(cell.getOrInit(() -> never.notified().map(v -> "first"))).pending();
        Probe<String> second = Probe.of(cell.getOrInit(() -> Async.ready("second"))).pending();
        assertEquals(1, never.waiterCount());
        first.cancel();
        assertEquals(0, never.waiterCount(), "the initializer's computation was not cancelled");
        assertTrue(second.woken());
        assertEquals("second", second.ready());
    }

    @Test
    void aCancelledInitializerWithNobodyWaitingLeavesTheCellFreeToInitialize() throws Exception {
        OnceCell<String> cell = new OnceCell<>();
        Probe<String> first = Probe.of(cell.getOrInit(() -> new Notify().notified().map(v -> "first"))).pending();
        first.cancel();
        assertTrue(cell.set("set"));
    }

    @Test
    void cancellingAWaitingCallerLeavesTheQueue() throws Exception {
        OnceCell<String> cell = new OnceCell<>();
        Notify done = new Notify();
        Probe<String> first = Probe.of(cell.getOrInit(() -> done.notified().map(v -> "first"))).pending();
        Probe<String> waiting = Probe.of(cell.getOrInit(() -> Async.ready("never"))).pending();
        waiting.cancel();
        assertEquals(0, cell.waiterCount());
        done.notifyOne();
        assertEquals("first", first.ready());
        assertFalse(waiting.woken());
    }

    @Test
    void setWakesTheWaitersOfACellWhoseInitializerFailed() throws Exception {
        OnceCell<Object> cell = new OnceCell<>();
        Object value = new Object();
        Notify fail = new Notify();
        Probe<Object> first = Probe.of(cell.getOrInit(() -> fail.notified().map(v -> {
            throw new IOException("no");
        }))).pending();
        fail.notifyOne();
        assertThrows(IOException.class, first::poll);
        Probe<Object> waiting = Probe.of(cell.getOrInit(() -> new Notify().notified().map(v -> "never")));
        waiting.pending();
        assertFalse(cell.set(value), "an initializer is running");
        waiting.cancel();
        assertTrue(cell.set(value));
        assertSame(value, Probe.of(cell.getOrInit(() -> Async.ready("other"))).ready());
    }
}
