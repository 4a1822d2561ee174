package dev.kyoto.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.KyotoRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code -Dkyoto.io.spinMicros} as a user meets it: through building a runtime. */
class SpinPropertyTest {
    private static final String PROPERTY = "kyoto.io.spinMicros";

    @AfterEach
    void clear() {
        System.clearProperty(PROPERTY);
    }

    @Test
    void aBadValueFailsTheBuildWithTheFixInsteadOfHidingTheDriver() {
        System.setProperty(PROPERTY, "fast");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KyotoRuntime.builder().currentThread().enableAll().build().close());
        assertTrue(e.getMessage().contains("-Dkyoto.io.spinMicros=fast"), e.getMessage());
        assertTrue(e.getMessage().contains("from 0 (never spin) to 1000"), e.getMessage());
    }

    @Test
    void zeroTurnsSpinningOffAndTheRuntimeStillWorks() throws Exception {
        System.setProperty(PROPERTY, "0");
        try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(2).enableAll().build()) {
            assertEquals(42, rt.blockOn(rt.spawn(Async.ready(42))));
        }
    }
}
