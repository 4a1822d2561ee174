package dev.kyoto.runtime.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RwLockTest {

    @Test
    void readersShareTheLockAndAWriterWaitsForAllOfThem() throws Exception {
        RwLock<String> lock = new RwLock<>("a");
        RwLock.ReadGuard<String> r1 = Probe.of(lock.read()).ready();
        RwLock.ReadGuard<String> r2 = lock.tryRead().orElseThrow();
        assertEquals("a", r1.get());
        assertEquals("a", r2.get());
        assertTrue(lock.tryWrite().isEmpty());
        Probe<RwLock.WriteGuard<String>> w = Probe.of(lock.write()).pending();
        r1.close();
        assertFalse(w.woken(), "one reader still holds the lock");
        r2.close();
        r2.close();
        assertTrue(w.woken());
        try (RwLock.WriteGuard<String> g = w.ready()) {
            g.set("b");
            assertTrue(lock.tryRead().isEmpty(), "a writer excludes readers");
        }
        try (RwLock.ReadGuard<String> g = lock.tryRead().orElseThrow()) {
            assertEquals("b", g.get());
        }
    }

    @Test
    void aQueuedWriterHoldsBackLaterReadersSoItIsNotStarved() throws Exception {
        RwLock<Integer> lock = new RwLock<>(0);
        RwLock.ReadGuard<Integer> reading = lock.tryRead().orElseThrow();
        Probe<RwLock.WriteGuard<Integer>> writer = Probe.of(lock.write()).pending();
        assertTrue(lock.tryRead().isEmpty(), "tryRead overtook the queued writer");
        Probe<RwLock.ReadGuard<Integer>> lateReader = Probe.of(lock.read()).pending();
        reading.close();
        assertTrue(writer.woken());
        assertFalse(lateReader.woken());
        RwLock.WriteGuard<Integer> w = writer.ready();
        w.set(1);
        w.close();
        assertTrue(lateReader.woken());
        assertEquals(1, lateReader.ready().get());
    }

    @Test
    void tasksGetTheLockInTheOrderTheyAskedAndQueuedReadersGetInTogether() throws Exception {
        RwLock<List<String>> lock = new RwLock<>(new ArrayList<>());
        RwLock.WriteGuard<List<String>> holder = lock.tryWrite().orElseThrow();
        Probe<RwLock.ReadGuard<List<String>>> r1 = Probe.of(lock.read()).pending();
        Probe<RwLock.ReadGuard<List<String>>> r2 = Probe.of(lock.read()).pending();
        Probe<RwLock.WriteGuard<List<String>>> w = Probe.of(lock.write()).pending();
        Probe<RwLock.ReadGuard<List<String>>> r3 = Probe.of(lock.read()).pending();
        assertEquals(4, lock.waiterCount());
        holder.close();
        assertTrue(r1.woken());
        assertTrue(r2.woken());
        assertFalse(w.woken());
        assertFalse(r3.woken(), "a reader overtook the writer queued before it");
        RwLock.ReadGuard<List<String>> g1 = r1.ready();
        RwLock.ReadGuard<List<String>> g2 = r2.ready();
        g1.close();
        g2.close();
        assertTrue(w.woken());
        w.ready().close();
        assertTrue(r3.woken());
        r3.ready().close();
        assertEquals(0, lock.waiterCount());
    }

    @Test
    void cancellingAQueuedWriterLetsTheReadersQueuedBehindItIn() throws Exception {
        RwLock<Integer> lock = new RwLock<>(0);
        RwLock.ReadGuard<Integer> reading = lock.tryRead().orElseThrow();
        Probe<RwLock.WriteGuard<Integer>> writer = Probe.of(lock.write()).pending();
        Probe<RwLock.ReadGuard<Integer>> r1 = Probe.of(lock.read()).pending();
        Probe<RwLock.ReadGuard<Integer>> r2 = Probe.of(lock.read()).pending();
        writer.cancel();
        assertTrue(r1.woken(), "a reader stayed queued behind a writer that gave up");
        assertTrue(r2.woken());
        r1.ready().close();
        r2.ready().close();
        assertEquals(0, lock.waiterCount());
        reading.close();
        assertTrue(lock.tryWrite().isPresent(), "the cancelled writer's collected permits were not given back");
    }

    @Test
    void cancellingAWriteThatWasJustHandedOverPassesTheLockOn() throws Exception {
        RwLock<Integer> lock = new RwLock<>(0);
        RwLock.WriteGuard<Integer> holder = lock.tryWrite().orElseThrow();
        Probe<RwLock.WriteGuard<Integer>> first = Probe.of(lock.write()).pending();
        Probe<RwLock.ReadGuard<Integer>> reader = Probe.of(lock.read()).pending();
        holder.close();
        assertTrue(first.woken());
        first.cancel();
        assertTrue(reader.woken());
        reader.ready().close();
        assertTrue(lock.tryWrite().isPresent());
    }

    @Test
    void maxReadersBoundsTheReadersAtOnce() throws Exception {
        RwLock<String> lock = new RwLock<>("x", 2);
        assertEquals(2, lock.maxReaders());
        RwLock.ReadGuard<String> a = lock.tryRead().orElseThrow();
        lock.tryRead().orElseThrow();
        Probe<RwLock.ReadGuard<String>> third = Probe.of(lock.read()).pending();
        a.close();
        assertEquals("x", third.ready().get());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RwLock<>("x", 0));
        assertTrue(e.getMessage().contains("at least 1 reader"), e.getMessage());
    }

    @Test
    void downgradeLetsQueuedReadersInButNoWriter() throws Exception {
        RwLock<String> lock = new RwLock<>("a", 8);
        RwLock.WriteGuard<String> w = lock.tryWrite().orElseThrow();
        w.set("b");
        Probe<RwLock.ReadGuard<String>> reader = Probe.of(lock.read()).pending();
        Probe<RwLock.WriteGuard<String>> writer = Probe.of(lock.write()).pending();
        RwLock.ReadGuard<String> r = w.downgrade();
        assertEquals("b", r.get());
        assertTrue(reader.woken());
        assertFalse(writer.woken());
        assertThrows(IllegalStateException.class, w::get);
        assertThrows(IllegalStateException.class, w::downgrade);
        w.close();
        assertFalse(writer.woken(), "closing a downgraded guard released the lock a second time");
        reader.ready().close();
        r.close();
        assertTrue(writer.woken());
    }

    @Test
    void aClosedGuardRefusesTheValue() throws Exception {
        RwLock<String> lock = new RwLock<>("a");
        RwLock.ReadGuard<String> r = lock.tryRead().orElseThrow();
        r.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, r::get);
        assertTrue(e.getMessage().contains("read() the lock again"), e.getMessage());
        RwLock.WriteGuard<String> w = lock.tryWrite().orElseThrow();
        w.close();
        assertThrows(IllegalStateException.class, () -> w.set("b"));
    }
}
