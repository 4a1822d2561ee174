package dev.kyoto.io.spi;

import dev.kyoto.io.internal.reactor.SelectorCompanion;
import dev.kyoto.runtime.spi.IoDriver;
import java.io.IOException;

/**
 * The selector reactor of {@code dev.kyoto.io}, run on a thread of its own: what a
 * {@link ChannelHost} returns so that {@code java.nio} channels work under a driver that cannot
 * poll them.
 */
public final class CompanionSelector {
    private CompanionSelector() {
    }

    /**
     * Opens a selector reactor and starts a daemon thread that waits on it until it is shut down.
     * The returned driver's {@link IoDriver#shutdown()} wakes every waiter with the runtime's
     * shutdown error, closes the channels still registered and waits for the thread to end;
     * {@link IoDriver#park(long)} must not be called, since the thread does the parking.
     *
     * @param threadName the name of the thread, which shows in thread dumps
     * @throws IOException if the selector cannot open
     */
    public static IoDriver start(String threadName) throws IOException {
        return SelectorCompanion.start(threadName);
    }
}
