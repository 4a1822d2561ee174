package dev.kyoto.runtime.internal.driver;

import dev.kyoto.runtime.spi.IoDriver;
import dev.kyoto.runtime.spi.IoDriverProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses and opens a runtime's I/O driver: the explicit provider if one was given, else the
 * one the {@code kyoto.io.driver} system property names, else every supported
 * {@link ServiceLoader} provider, highest priority first. A provider that fails to load or open
 * is logged and skipped; only when none is left is that an error. A provider that rejects its
 * configuration ({@link IllegalArgumentException} from {@code open}) fails the runtime's build
 * with that exception, which names the setting to fix.
 */
public final class DriverSelection {
    /** The system property that names the provider to use. */
    public static final String PROPERTY = "kyoto.io.driver";

    private static final Logger LOG = LoggerFactory.getLogger(DriverSelection.class);

    private DriverSelection() {
    }

    /** Opens the I/O driver for a new runtime. */
    public static IoDriver open(IoDriverProvider explicit) {
        if (explicit != null) {
            return openOrThrow(explicit, List.of());
        }
        List<IoDriverProvider> found = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        Iterator<IoDriverProvider> it = ServiceLoader.load(IoDriverProvider.class).iterator();
        for (;;) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                found.add(it.next());
            } catch (ServiceConfigurationError e) {
                LOG.warn("skipping an I/O driver provider that failed to load", e);
                failures.add(e);
            }
        }
        String wanted = System.getProperty(PROPERTY);
        if (wanted != null && !wanted.isBlank()) {
            for (IoDriverProvider p : found) {
                if (p.name().equals(wanted) || p.getClass().getName().equals(wanted)) {
                    return openOrThrow(p, failures);
                }
            }
            throw new IllegalStateException("the I/O driver named by -D" + PROPERTY + "=" + wanted
                    + " was not found; available: " + found.stream().map(IoDriverProvider::name).toList());
        }
        found.sort(Comparator.comparingInt(IoDriverProvider::priority).reversed());
        for (IoDriverProvider p : found) {
            if (!p.isSupported()) {
                LOG.debug("I/O driver {} is not supported here; skipping it", p.name());
                continue;
            }
            try {
                IoDriver driver = p.open();
                LOG.debug("using I/O driver {} ({})", p.name(), p.getClass().getName());
                return driver;
            } catch (IllegalArgumentException e) {
                // The provider rejected its configuration: skipping it would hide the mistake
                // behind "no I/O driver is available".
                throw e;
            } catch (Exception | LinkageError e) {
                LOG.warn("I/O driver {} failed to open; skipping it", p.name(), e);
                failures.add(e);
            }
        }
        IllegalStateException none = new IllegalStateException(
                "I/O is enabled but no I/O driver is available: add module dev.kyoto.io to the module path "
                        + "(or the class path), or pass a provider to KyotoRuntime.Builder.ioDriver(...); in OSGi, "
                        + "install and start the dev.kyoto.io bundle, and start Apache Aries SPI Fly before dev.kyoto.runtime");
        failures.forEach(none::addSuppressed);
        throw none;
    }

    private static IoDriver openOrThrow(IoDriverProvider p, List<Throwable> earlier) {
        try {
            IoDriver driver = p.open();
            LOG.debug("using I/O driver {} ({})", p.name(), p.getClass().getName());
            return driver;
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception | LinkageError e) {
            IllegalStateException failed = new IllegalStateException("I/O driver " + p.name() + " failed to open: " + e, e);
            earlier.forEach(failed::addSuppressed);
            throw failed;
        }
    }
}
