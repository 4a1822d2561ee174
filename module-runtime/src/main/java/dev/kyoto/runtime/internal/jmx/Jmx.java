package dev.kyoto.runtime.internal.jmx;

import dev.kyoto.runtime.RuntimeMetrics;
import java.util.concurrent.Executor;

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
     * Registers {@code metrics} as the MXBean of the runtime named {@code name}, at once or, when
     * that would create the platform MBean server, on a thread of its own; returns what unregisters
     * it (idempotent, and waiting for a registration under way), or null if
     * {@code java.management} is not there.
     */
    public static Runnable register(String name, RuntimeMetrics metrics) {
        Module self = Jmx.class.getModule();
        boolean readable = ModuleLayer.boot().findModule("java.management").map(self::canRead).orElse(false);
        if (!readable) {
            return null;
        }
        return register(name, metrics, task -> Thread.ofPlatform().daemon().name("MXBean registration of " + name).start(task));
    }

    /**
     * As {@link #register(String, RuntimeMetrics)}, with {@code firstServer} running the
     * registration when it must create the platform MBean server (see
     * {@link DeferredRegistration}); it may not run it at all if the returned action runs first.
     */
    static Runnable register(String name, RuntimeMetrics metrics, Executor firstServer) {
        return DeferredRegistration.start(name, new RuntimeMXBeanView(metrics), firstServer);
    }
}
