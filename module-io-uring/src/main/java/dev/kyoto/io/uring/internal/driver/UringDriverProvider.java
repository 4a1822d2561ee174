package dev.kyoto.io.uring.internal.driver;

import aQute.bnd.annotation.spi.ServiceProvider;
import dev.kyoto.runtime.spi.IoDriver;
import dev.kyoto.runtime.spi.IoDriverProvider;
import java.io.IOException;

/**
 * The io_uring driver's provider: preferred over the selector wherever {@link Support} finds the
 * kernel, the JDK and native access ready for it, so that linking this module is the only switch.
 */
@ServiceProvider(IoDriverProvider.class)
public final class UringDriverProvider implements IoDriverProvider {
    /** Above the selector's 0. */
    static final int PRIORITY = 10;

    /** Instantiated by {@link java.util.ServiceLoader}. */
    public UringDriverProvider() {
    }

    @Override
    public String name() {
        return "io_uring";
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public boolean isSupported() {
        return SupportOnce.WHY_UNSUPPORTED == null;
    }

    @Override
    public String whyUnsupported() {
        return SupportOnce.WHY_UNSUPPORTED;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IOException saying why, when this driver cannot run here (asked for by name, say)
     */
    @Override
    public IoDriver open() throws IOException {
        String why = SupportOnce.WHY_UNSUPPORTED;
        if (why != null) {
            throw new IOException("the io_uring driver cannot run here: " + why);
        }
        return UringDriver.open();
    }

    /** The kernel, the JDK and the module's native access do not change while the process runs: asked once. */
    private static final class SupportOnce {
        static final String WHY_UNSUPPORTED = Support.whyUnsupported();
    }
}
