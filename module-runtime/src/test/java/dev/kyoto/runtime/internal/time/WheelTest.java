package dev.kyoto.runtime.internal.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WheelTest {

    private static TimerEntry entry(long deadline) {
        TimerEntry e = new TimerEntry();
        e.deadline = deadline;
        return e;
    }

    @Test
    void levelsFollowTheHighestDifferingBit() {
        assertEquals(0, Wheel.levelFor(0, 1));
        assertEquals(0, Wheel.levelFor(0, 63));
        assertEquals(1, Wheel.levelFor(0, 64));
        assertEquals(1, Wheel.levelFor(0, 4095));
        assertEquals(2, Wheel.levelFor(0, 4096));
        assertEquals(5, Wheel.levelFor(0, Wheel.MAX_DURATION));
        assertEquals(0, Wheel.levelFor(64, 65), "only the bits that differ count");
    }

    @Test
    void aPassedDeadlineIsNotInserted() {
        Wheel w = new Wheel();
        w.advance(100, e -> { });
        assertFalse(w.insert(entry(100)));
        assertFalse(w.insert(entry(3)));
        assertTrue(w.insert(entry(101)));
        assertEquals(101, w.nextExpiration());
    }

    @Test
    void entriesFireInDeadlineOrderAcrossLevels() {
        Wheel w = new Wheel();
        long[] deadlines = {5, 64, 63, 4097, 1, 262_144, 70, 70, 5_000_000_000L};
        List<TimerEntry> entries = new ArrayList<>();
        for (long d : deadlines) {
            TimerEntry e = entry(d);
            entries.add(e);
            assertTrue(w.insert(e));
        }
        List<Long> fired = new ArrayList<>();
        w.advance(Long.MAX_VALUE / 2, e -> fired.add(e.deadline));
        assertEquals(List.of(1L, 5L, 63L, 64L, 70L, 70L, 4097L, 262_144L, 5_000_000_000L), fired);
        assertEquals(0, w.size());
        assertEquals(Wheel.NONE, w.nextExpiration());
    }

    @Test
    void advancingPartwayFiresOnlyWhatIsDue() {
        Wheel w = new Wheel();
        TimerEntry early = entry(10);
        TimerEntry late = entry(5000);
        w.insert(early);
        w.insert(late);
        List<TimerEntry> fired = new ArrayList<>();
        w.advance(4999, fired::add);
        assertEquals(List.of(early), fired);
        assertEquals(1, w.size());
        assertTrue(w.nextExpiration() <= 5000);
        w.advance(5000, fired::add);
        assertEquals(List.of(early, late), fired);
    }

    @Test
    void deadlinesBeyondTheWheelKeepTheirDeadlineAndFireAtIt() {
        Wheel w = new Wheel();
        long deadline = 5 * Wheel.MAX_DURATION + 17;
        TimerEntry far = entry(deadline);
        assertTrue(w.insert(far));
        assertTrue(w.nextExpiration() <= Wheel.MAX_DURATION, "it waits in a slot the wheel reaches");
        List<TimerEntry> fired = new ArrayList<>();
        w.advance(Wheel.MAX_DURATION, fired::add);
        assertEquals(List.of(), fired, "the wheel's reach is not the deadline");
        assertEquals(deadline, far.deadline);
        assertEquals(1, w.size());
        w.advance(deadline - 1, fired::add);
        assertEquals(List.of(), fired);
        w.advance(deadline, fired::add);
        assertEquals(List.of(far), fired);
        assertEquals(0, w.size());
    }

    /** Deadlines up to 2^40 ms, far past the wheel's 2^36: each fires once, never early, in order. */
    @Test
    void deadlinesPastTheWheelMixedWithNearOnesFireInOrder() {
        SplittableRandom random = new SplittableRandom(5);
        Wheel w = new Wheel();
        List<TimerEntry> all = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            TimerEntry e = entry(1 + random.nextLong(1L << random.nextInt(1, 41)));
            all.add(e);
            assertTrue(w.insert(e));
        }
        List<TimerEntry> fired = new ArrayList<>();
        long now = 0;
        while (w.size() > 0) {
            now += random.nextLong(1, 1L << random.nextInt(1, 38));
            long limit = now;
            w.advance(now, e -> {
                assertTrue(e.deadline <= limit, "fired early");
                assertTrue(fired.isEmpty() || fired.get(fired.size() - 1).deadline <= e.deadline, "out of order");
                fired.add(e);
            });
        }
        assertEquals(all.size(), fired.size());
        java.util.Set<TimerEntry> distinct = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        distinct.addAll(fired);
        assertEquals(all.size(), distinct.size(), "each fired once");
    }

    /**
     * A million timers with random deadlines spread over every level; a random half removed; the
     * wheel advanced in random steps. Every remaining one fires exactly once, never early, in
     * deadline order, and no removed one fires.
     */
    @Test
    void aMillionTimersHalfCancelledFireExactlyOnceInOrder() {
        SplittableRandom random = new SplittableRandom(7);
        int n = 1_000_000;
        Wheel w = new Wheel();
        TimerEntry[] all = new TimerEntry[n];
        int[] fires = new int[n];
        java.util.IdentityHashMap<TimerEntry, Integer> index = new java.util.IdentityHashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            // Spread across levels: up to ~2^30 ms.
            long d = 1 + (random.nextLong(1L << random.nextInt(1, 31)));
            all[i] = entry(d);
            index.put(all[i], i);
            assertTrue(w.insert(all[i]));
        }
        boolean[] removed = new boolean[n];
        int kept = n;
        for (int i = 0; i < n; i++) {
            if (random.nextBoolean()) {
                w.remove(all[i]);
                removed[i] = true;
                kept--;
            }
        }
        assertEquals(kept, w.size());
        long[] lastFired = {0};
        long now = 0;
        int[] count = {0};
        while (w.size() > 0) {
            long step = random.nextLong(1, 1L << random.nextInt(1, 26));
            now += step;
            long limit = now;
            w.advance(now, e -> {
                int i = index.get(e);
                fires[i]++;
                assertTrue(e.deadline <= limit, "fired early");
                assertTrue(e.deadline >= lastFired[0], "out of order");
                lastFired[0] = e.deadline;
                count[0]++;
            });
        }
        assertEquals(kept, count[0]);
        for (int i = 0; i < n; i++) {
            assertEquals(removed[i] ? 0 : 1, fires[i], "entry " + i);
        }
    }
}
