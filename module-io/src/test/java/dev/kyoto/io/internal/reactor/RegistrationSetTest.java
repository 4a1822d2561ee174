package dev.kyoto.io.internal.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.io.Interest;
import dev.kyoto.runtime.spi.RuntimeShutdown;
import java.io.IOException;
import java.nio.channels.Pipe;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegistrationSetTest {

    @Test
    void runsOnTheModulePath() {
        assertEquals("dev.kyoto.io", getClass().getModule().getName(), "surefire must patch the tests into the module, not fall back to the class path");
    }


    @Test
    void allocateAfterShutdownIsRefusedWithTheShutdownError() throws IOException {
        RegistrationSet set = new RegistrationSet();
        ScheduledIo live = set.allocate(0);
        List<ScheduledIo> all = set.shutdown();
        assertEquals(List.of(live), all);
        assertTrue(set.shutdown().isEmpty(), "shutdown is idempotent");
        IOException e = assertThrows(IOException.class, () -> set.allocate(0));
        assertTrue(RuntimeShutdown.isShutdownError(e));
    }

    @Test
    void deregisterAsksForAWakeAtSixteenPending() throws IOException {
        RegistrationSet set = new RegistrationSet();
        List<ScheduledIo> ios = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ios.add(set.allocate(0));
        }
        for (int i = 0; i < 20; i++) {
            assertEquals(i == RegistrationSet.NOTIFY_AFTER - 1, set.deregister(ios.get(i)), "deregistration " + i);
        }
        assertTrue(set.needsRelease());
        assertEquals(20, set.size());
        set.release();
        assertFalse(set.needsRelease());
        assertEquals(0, set.size());
    }

    @Test
    void releaseHappensOnTheReactorsNextTurn() throws IOException {
        SelectorReactor reactor = new SelectorReactor(Selector.open());
        Pipe pipe = Pipe.open();
        try {
            Registration r = reactor.register(pipe.source(), Interest.READABLE);
            assertEquals(1, reactor.registeredCount());
            r.deregister();
            r.deregister();
            assertEquals(1, reactor.registeredCount(), "still live until the reactor turns");
            reactor.park(0);
            assertEquals(0, reactor.registeredCount());
        } finally {
            pipe.source().close();
            pipe.sink().close();
            reactor.shutdown();
        }
    }

    @Test
    void shutdownMarksEveryLiveRegistrationAndRefusesNewOnes() throws IOException {
        SelectorReactor reactor = new SelectorReactor(Selector.open());
        Pipe pipe = Pipe.open();
        try {
            Registration r = reactor.register(pipe.source(), Interest.READABLE);
            reactor.shutdown();
            IOException pending = assertThrows(IOException.class,
                    () -> r.pollReadReady(new dev.kyoto.runtime.Context(dev.kyoto.runtime.Waker.noop())));
            assertTrue(RuntimeShutdown.isShutdownError(pending));
            IOException refused = assertThrows(IOException.class, () -> reactor.register(pipe.sink(), Interest.WRITABLE));
            assertTrue(RuntimeShutdown.isShutdownError(refused));
        } finally {
            pipe.source().close();
            pipe.sink().close();
        }
    }
}
