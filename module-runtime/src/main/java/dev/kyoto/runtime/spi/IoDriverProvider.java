package dev.kyoto.runtime.spi;

import java.io.IOException;

/**
 * A source of I/O drivers, found by {@link java.util.ServiceLoader}.
 *
 * <p>A driver module declares {@code provides dev.kyoto.runtime.spi.IoDriverProvider with ...};
 * that line is the only thing that connects it to the runtime. When a runtime is built with I/O
 * enabled it takes, in order: the provider given to {@code KyotoRuntime.Builder.ioDriver}, else
 * the provider named by the system property {@code kyoto.io.driver}, else every provider that
 * reports itself {@linkplain #isSupported() supported}, highest {@linkplain #priority() priority}
 * first. A provider whose {@link #open()} fails is logged and skipped, unless it throws
 * {@link IllegalArgumentException}: that means its configuration is wrong, and the runtime's
 * build fails with it.
 */
public interface IoDriverProvider {

    /** A short, stable name, matched by the {@code kyoto.io.driver} system property (for example {@code nio}). */
    String name();

    /** Higher wins when several providers are supported; the portable selector driver is 0. */
    default int priority() {
        return 0;
    }

    /** Whether this driver can run on this operating system and JDK. */
    default boolean isSupported() {
        return true;
    }

    /**
     * Why {@link #isSupported()} is false, in one sentence that names the fix; the runtime logs
     * it at DEBUG when it falls back to the next driver. Only asked of an unsupported provider.
     */
    default String whyUnsupported() {
        return "the provider reports that it cannot run here";
    }

    /**
     * Opens a new driver for one runtime.
     *
     * @throws IOException              if the operating system refuses the driver's resources
     * @throws IllegalArgumentException if the driver's configuration (a system property, say) is
     *                                  wrong; the message names the setting and how to fix it
     */
    IoDriver open() throws IOException;
}
