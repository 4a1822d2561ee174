package dev.kyoto.runtime.sync;

import static dev.kyoto.runtime.sync.Loom.blockOn;
import static dev.kyoto.runtime.sync.Loom.fork;
import static dev.kyoto.runtime.sync.Loom.model;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kyoto.runtime.Async;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Model checks of {@link OnceCell}: a caller
 * waiting for another's initialiser is woken whether that one succeeds or fails (a lost turn is a
 * deadlock Lincheck reports), and {@code set} and {@code getOrInit} agree on the one value.
 */
@Tag("lincheck")
class OnceCellLincheckTest {

    /** One caller's initialiser fails, the other's succeeds: the second ends with its value. */
    @Test
    void aFailedInitializerHandsTheTurnToAWaitingCaller() {
        model(100, () -> {
            OnceCell<String> cell = new OnceCell<>();
            Loom.Forked failing = fork(() -> {
                try {
                    assertEquals("b", blockOn(cell.getOrInit(() -> Async.failed(new IOException("a fails")))));
                } catch (IOException expected) {
                    // its own initializer ran and failed
                }
            });
            assertEquals("b", blockOn(cell.getOrInit(() -> Async.ready("b"))));
            failing.join();
            assertEquals("b", cell.get().orElseThrow());
            assertEquals(0, cell.waiterCount());
        });
    }

    /** set racing getOrInit: both see the same value, and set reports whether it was its own. */
    @Test
    void setAndGetOrInitAgreeOnTheValue() {
        model(100, () -> {
            OnceCell<String> cell = new OnceCell<>();
            AtomicBoolean setWon = new AtomicBoolean();
            Loom.Forked setter = fork(() -> setWon.set(cell.set("s")));
            String got = blockOn(cell.getOrInit(() -> Async.ready("g")));
            setter.join();
            assertEquals(got, cell.get().orElseThrow());
            assertEquals(setWon.get(), got.equals("s"));
        });
    }
}
