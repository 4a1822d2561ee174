package dev.kyoto.io.internal.reactor;

import aQute.bnd.annotation.spi.ServiceProvider;
import dev.kyoto.runtime.spi.IoDriver;
import dev.kyoto.runtime.spi.IoDriverProvider;
import java.io.IOException;
import java.nio.channels.Selector;

/** The portable I/O driver: a reactor over the JDK's default {@link Selector}. */
@ServiceProvider(IoDriverProvider.class)
public final class SelectorDriverProvider implements IoDriverProvider {

    /** Instantiated by {@link java.util.ServiceLoader}. */
    public SelectorDriverProvider() {
    }

    @Override
    public String name() {
        return "nio";
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if {@code -Dkyoto.io.spinMicros} is not a spin the reactor
     *                                  accepts (see the message)
     */
    @Override
    public IoDriver open() throws IOException {
        SpinPolicy spin = SpinPolicy.fromSystemProperties();
        return new SelectorReactor(Selector.open(), spin);
    }
}
