package dev.kyoto.io.internal.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** When the reactor spins before it blocks, and when it stops. */
class SpinPolicyTest {
    private static final long SPIN = 50_000;
    private static final long QUALIFYING_WAIT = 30_000;

    @Test
    void aFreshReactorBlocks() {
        assertFalse(new SpinPolicy(SPIN).shouldSpin(-1));
    }

    @Test
    void aSingleEventSomeMicrosecondsAfterABlockingParkTurnsSpinningOn() {
        SpinPolicy p = new SpinPolicy(SPIN);
        p.blocked(1, QUALIFYING_WAIT);
        assertTrue(p.shouldSpin(-1));
        assertTrue(p.shouldSpin(SPIN + 1), "a timeout longer than the spin leaves room for it");
        assertFalse(p.shouldSpin(SPIN), "a timeout no longer than the spin is not spun through");
    }

    @Test
    void blockingParksThatDoNotQualifyLeaveSpinningOff() {
        SpinPolicy p = new SpinPolicy(SPIN);
        p.blocked(0, QUALIFYING_WAIT);
        assertFalse(p.shouldSpin(-1), "woken without an event");
        p.blocked(2, QUALIFYING_WAIT);
        assertFalse(p.shouldSpin(-1), "a batch: events come in bunches");
        p.blocked(1, SpinPolicy.MIN_WAIT_NANOS - 1);
        assertFalse(p.shouldSpin(-1), "events stream in: a blocking park costs nothing");
        p.blocked(1, SpinPolicy.ENTER_WAIT_NANOS + 1);
        assertFalse(p.shouldSpin(-1), "events are rare: a spin would miss");
        p.blocked(1, SpinPolicy.MIN_WAIT_NANOS);
        assertTrue(p.shouldSpin(-1), "the window's ends qualify");
        p.blocked(1, SpinPolicy.ENTER_WAIT_NANOS);
        assertTrue(p.shouldSpin(-1));
        p.blocked(3, QUALIFYING_WAIT);
        assertFalse(p.shouldSpin(-1), "a park that does not qualify turns spinning off again");
    }

    @Test
    void aSpinThatCatchesOneEventAfterAWhileKeepsSpinning() {
        SpinPolicy p = new SpinPolicy(SPIN);
        p.blocked(1, QUALIFYING_WAIT);
        for (int i = 0; i < 100; i++) {
            p.spinCaught(1, 20_000);
            assertTrue(p.shouldSpin(-1));
        }
        p.spinCaught(1, 2_000);
        assertFalse(p.shouldSpin(-1), "an event caught at once means they stream in");
        p.blocked(1, QUALIFYING_WAIT);
        p.spinCaught(4, 20_000);
        assertFalse(p.shouldSpin(-1), "a batch caught means they come in bunches");
    }

    @Test
    void missedSpinsBackOffExponentiallyUpToTheCap() {
        SpinPolicy p = new SpinPolicy(SPIN);
        int expectedSkip = 1;
        for (int miss = 0; miss < 14; miss++) {
            p.blocked(1, QUALIFYING_WAIT);
            assertTrue(p.shouldSpin(-1), "spins again after " + miss + " misses once the skipped parks have passed");
            p.spinMissed();
            assertFalse(p.shouldSpin(-1));
            assertEquals(expectedSkip, qualifyingParksUntilSpinning(p), "after miss " + (miss + 1));
            expectedSkip = Math.min(SpinPolicy.MAX_SKIP, expectedSkip * 2);
        }
        assertEquals(SpinPolicy.MAX_SKIP, expectedSkip, "the backoff reached its cap within the loop");
    }

    @Test
    void parksThatDoNotQualifyDoNotCountTowardTheBackoff() {
        SpinPolicy p = new SpinPolicy(SPIN);
        p.blocked(1, QUALIFYING_WAIT);
        p.spinMissed();
        p.spinMissed();
        for (int i = 0; i < 10; i++) {
            p.blocked(5, QUALIFYING_WAIT);
        }
        assertEquals(2, qualifyingParksUntilSpinning(p));
    }

    @Test
    void aCatchResetsTheBackoff() {
        SpinPolicy p = new SpinPolicy(SPIN);
        for (int i = 0; i < 5; i++) {
            p.spinMissed();
            qualifyingParksUntilSpinning(p);
        }
        p.spinCaught(1, 20_000);
        p.spinMissed();
        assertEquals(1, qualifyingParksUntilSpinning(p), "the first miss after a catch skips one park");
    }

    @Test
    void aZeroSpinNeverSpins() {
        SpinPolicy p = new SpinPolicy(0);
        for (int i = 0; i < 10; i++) {
            p.blocked(1, QUALIFYING_WAIT);
            assertFalse(p.shouldSpin(-1));
        }
    }

    @Test
    void theSystemPropertySetsTheSpin() {
        assertEquals(0, withProperty(null).spinNanos(), "off unless asked for");
        assertEquals(0, withProperty(" ").spinNanos());
        assertEquals(50_000, withProperty("50").spinNanos());
        assertEquals(0, withProperty("0").spinNanos());
        assertEquals(20_000, withProperty(" 20 ").spinNanos());
        assertEquals(SpinPolicy.MAX_SPIN_NANOS, withProperty("1000").spinNanos());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "1001", "fast", "50us", "1e3", "99999999999999999999"})
    void aBadSystemPropertyIsRejectedWithTheFix(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> withProperty(value));
        assertTrue(e.getMessage().contains("-Dkyoto.io.spinMicros=" + value), e.getMessage());
        assertTrue(e.getMessage().contains("from 0 (never spin) to 1000"), e.getMessage());
    }

    @Test
    void theConstructorRejectsANegativeSpin() {
        assertThrows(IllegalArgumentException.class, () -> new SpinPolicy(-1));
    }

    /** Feeds qualifying blocking parks until the policy spins again; returns how many it took to get there. */
    private static int qualifyingParksUntilSpinning(SpinPolicy p) {
        for (int parks = 1; parks <= SpinPolicy.MAX_SKIP + 1; parks++) {
            p.blocked(1, QUALIFYING_WAIT);
            if (p.shouldSpin(-1)) {
                return parks - 1;
            }
        }
        throw new AssertionError("the policy never spins again");
    }

    private static SpinPolicy withProperty(String value) {
        String saved = System.getProperty(SpinPolicy.PROPERTY);
        try {
            if (value == null) {
                System.clearProperty(SpinPolicy.PROPERTY);
            } else {
                System.setProperty(SpinPolicy.PROPERTY, value);
            }
            return SpinPolicy.fromSystemProperties();
        } finally {
            if (saved == null) {
                System.clearProperty(SpinPolicy.PROPERTY);
            } else {
                System.setProperty(SpinPolicy.PROPERTY, saved);
            }
        }
    }
}
