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
 * is logged and skipped; only when none is left is that an error, which says whether no provider
 * was found (the driver module is missing) or every one found failed (each failure suppressed). A
 * provider that rejects its configuration ({@link IllegalArgumentException} from {@code open})
 * fails the runtime's build with that exception, which names the setting to fix.
 */
public final class DriverSelection {
    /** The system property that names the provider to use. */
    public static final String PROPERTY = "kyoto.io.driver";

    private static final Logger LOG = LoggerFactory.getLogger(DriverSelection.class);

    private DriverSelection() {
    }

    /** An opened driver and the name of the provider that opened it, for the runtime's start line. */
    public record Opened(String name, IoDriver driver) {
    }

    /** Opens the I/O driver for a new runtime. */
    public static Opened open(IoDriverProvider explicit) {
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
                LOG.warn("skipping an I/O driver provider that failed to load: {}", e.getMessage(), e);
                failures.add(e);
            }
        }
        return choose(found, failures, System.getProperty(PROPERTY));
    }

    /**
     * Opens the provider {@code wanted} names (a {@link IoDriverProvider#name()} or a class
     * name), or if it is null or blank the first supported provider of {@code found} that opens,
     * highest priority first. Public for the runtime's tests, whose module provides no driver.
     *
     * @param found the providers the {@link ServiceLoader} gave, in its order
     * @param failures why providers failed to load; carried by the error if no driver opens
     * @param wanted the {@value #PROPERTY} property's value, or null
     */
    public static Opened choose(List<IoDriverProvider> found, List<Throwable> failures, String wanted) {
        if (wanted != null && !wanted.isBlank()) {
            for (IoDriverProvider p : found) {
                if (p.name().equals(wanted) || p.getClass().getName().equals(wanted)) {
                    return openOrThrow(p, List.copyOf(failures));
                }
            }
            throw new IllegalStateException("the I/O driver named by -D" + PROPERTY + "=" + wanted
                    + " was not found; available: " + found.stream().map(IoDriverProvider::name).toList());
        }
        List<IoDriverProvider> byPriority = new ArrayList<>(found);
        byPriority.sort(Comparator.comparingInt(IoDriverProvider::priority).reversed());
        List<Throwable> failed = new ArrayList<>(failures);
        List<String> openFailures = new ArrayList<>();
        List<String> unsupported = new ArrayList<>();
        for (IoDriverProvider p : byPriority) {
            if (!p.isSupported()) {
                LOG.debug("I/O driver {} is not supported here, so the next is tried: {}", p.name(), p.whyUnsupported());
                unsupported.add(p.name());
                continue;
            }
            try {
                return new Opened(p.name(), p.open());
            } catch (IllegalArgumentException e) {
                // The provider rejected its configuration: skipping it would hide the mistake
                // behind "no I/O driver is available".
                throw e;
            } catch (Exception | LinkageError e) {
                // The stack trace travels with the error if no driver opens; a warning names the cause.
                LOG.warn("I/O driver {} failed to open ({}); skipping it", p.name(), e.toString());
                LOG.debug("I/O driver {} failed to open", p.name(), e);
                openFailures.add(p.name() + " (" + e + ")");
                failed.add(e);
            }
        }
        IllegalStateException none = new IllegalStateException(noDriver(found, failures, openFailures, unsupported));
        failed.forEach(none::addSuppressed);
        throw none;
    }

    /**
     * Why no driver opened. Only when the loader found nothing at all is the driver module
     * missing; a provider that was found and failed (a selector that cannot open because the
     * process is out of descriptors, say) is named with its failure instead.
     */
    private static String noDriver(List<IoDriverProvider> found, List<Throwable> loadFailures, List<String> openFailures,
            List<String> unsupported) {
        if (found.isEmpty() && loadFailures.isEmpty()) {
            return "I/O is enabled but no I/O driver is available: add module dev.kyoto.io to the module path "
                    + "(or the class path), or pass a provider to KyotoRuntime.Builder.ioDriver(...); in OSGi, "
                    + "install and start the dev.kyoto.io bundle, and start Apache Aries SPI Fly before dev.kyoto.runtime";
        }
        if (openFailures.isEmpty() && loadFailures.isEmpty()) {
            return "I/O is enabled but no I/O driver supports this platform: " + String.join(", ", unsupported)
                    + " found; add a driver that does, or pass a provider to KyotoRuntime.Builder.ioDriver(...)";
        }
        StringBuilder why = new StringBuilder("I/O is enabled but every I/O driver failed to ");
        if (openFailures.isEmpty()) {
            why.append("load");
        } else {
            why.append("open: ").append(String.join(", ", openFailures));
        }
        if (!unsupported.isEmpty()) {
            why.append("; not supported here: ").append(String.join(", ", unsupported));
        }
        if (!loadFailures.isEmpty() && !openFailures.isEmpty()) {
            why.append("; ").append(loadFailures.size()).append(loadFailures.size() == 1 ? " provider" : " providers")
                    .append(" failed to load");
        }
        return why.append("; each failure is attached as a suppressed exception").toString();
    }

    private static Opened openOrThrow(IoDriverProvider p, List<Throwable> earlier) {
        try {
            return new Opened(p.name(), p.open());
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception | LinkageError e) {
            IllegalStateException failed = new IllegalStateException("I/O driver " + p.name() + " failed to open: " + e, e);
            earlier.forEach(failed::addSuppressed);
            throw failed;
        }
    }
}
