package dev.kyoto.runtime.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MutexTest {

    @Test
    void theGuardReadsAndWritesTheValueAndClosingReleasesTheLock() throws Exception {
        Mutex<String> m = new Mutex<>("a");
        Mutex.Guard<String> g = Probe.of(m.lock()).ready();
        assertTrue(m.isLocked());
        assertEquals("a", g.get());
        g.set("b");
        g.close();
        g.close();
        assertFalse(m.isLocked(), "closing twice releases once");
        try (Mutex.Guard<String> again = m.tryLock().orElseThrow()) {
            assertEquals("b", again.get());
        }
    }

    @Test
    void aClosedGuardRefusesTheValue() throws Exception {
        Mutex<String> m = new Mutex<>("a");
        Mutex.Guard<String> g = Probe.of(m.lock()).ready();
        g.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, g::get);
        assertTrue(e.getMessage().contains("lock the mutex again"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> g.set("x"));
    }

    @Test
    void lockWaitsForTheHolderAndTasksGetTheLockInTheOrderTheyAsked() throws Exception {
        Mutex<List<String>> m = new Mutex<>(new ArrayList<>());
        Mutex.Guard<List<String>> holder = m.tryLock().orElseThrow();
        Probe<Mutex.Guard<List<String>>> b = Probe.of(m.lock()).pending();
        Probe<Mutex.Guard<List<String>>> c = Probe.of(m.lock()).pending();
        assertTrue(m.tryLock().isEmpty(), "tryLock does not overtake queued tasks");
        holder.close();
        assertTrue(b.woken());
        assertFalse(c.woken());
        assertTrue(m.tryLock().isEmpty(), "the lock was handed to b, not left free");
        Mutex.Guard<List<String>> gb = b.ready();
        gb.get().add("b");
        gb.close();
        assertTrue(c.woken());
        try (Mutex.Guard<List<String>> gc = c.ready()) {
            gc.get().add("c");
            assertEquals(List.of("b", "c"), gc.get());
        }
        assertEquals(0, m.waiterCount());
    }

    @Test
    void cancellingAWaitingLockLeavesTheMutexAsIfItNeverAsked() throws Exception {
        Mutex<Integer> m = new Mutex<>(0);
        Mutex.Guard<Integer> holder = m.tryLock().orElseThrow();
        Probe<Mutex.Guard<Integer>> waiter = Probe.of(m.lock()).pending();
        waiter.cancel();
        assertEquals(0, m.waiterCount());
        holder.close();
        assertFalse(m.isLocked(), "the lock was not handed to the cancelled waiter");
        assertTrue(m.tryLock().isPresent());
    }

    @Test
    void cancellingALockThatWasJustHandedOverPassesItOn() throws Exception {
        Mutex<Integer> m = new Mutex<>(0);
        Mutex.Guard<Integer> holder = m.tryLock().orElseThrow();
        Probe<Mutex.Guard<Integer>> first = Probe.of(m.lock()).pending();
        Probe<Mutex.Guard<Integer>> second = Probe.of(m.lock()).pending();
        holder.close();
        first.cancel();
        assertTrue(second.woken());
        second.ready().close();
        assertFalse(m.isLocked());
    }
}
