package dev.kyoto.runtime.internal.jmx;

import dev.kyoto.runtime.RuntimeMetrics;

/**
 * Registers a runtime's MXBean when {@code java.management} is there. The module requires it
 * {@code static}, so it may be missing at run time (a jlink image without it, a modular
 * application that does not resolve it): this class never names its types, and touches
 * {@link JmxRegistration}, which does, only after finding the module readable.
 */
public final class Jmx {
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
        JmxRegistration registration = JmxRegistration.register(name, new RuntimeMXBeanView(metrics));
        return registration == null ? null : registration::close;
    }
}
