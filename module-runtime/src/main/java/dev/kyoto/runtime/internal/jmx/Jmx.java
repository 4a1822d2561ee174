package dev.kyoto.runtime.internal.jmx;

import dev.kyoto.runtime.RuntimeMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers a runtime's MXBean when {@code java.management} is there. The module requires it
 * {@code static}, so it may be missing at run time (a jlink image without it, a modular
 * application that does not resolve it): this class never names its types, and touches
 * {@link JmxRegistration}, which does, only after finding the module readable.
 */
public final class Jmx {
    private static final Logger LOG = LoggerFactory.getLogger(Jmx.class);

    private Jmx() {
    }

    /**
     * Registers {@code metrics} as the MXBean of the runtime named {@code name}; returns what
     * unregisters it (idempotent), or null if {@code java.management} is not there or refused it.
     */
    public static Runnable register(String name, RuntimeMetrics metrics) {
        Module self = Jmx.class.getModule();
        boolean readable = ModuleLayer.boot().findModule("java.management").map(self::canRead).orElse(false);
        if (!readable) {
            return null;
        }
        try {
            JmxRegistration registration = JmxRegistration.register(name, new RuntimeMXBeanView(metrics));
            return registration == null ? null : registration::close;
        } catch (LinkageError e) {
            // In an OSGi framework that does not wire javax.management to the bundle.
            LOG.debug("java.management is not usable here; the Kyoto runtime {} has no MXBean", name, e);
            return null;
        }
    }
}
