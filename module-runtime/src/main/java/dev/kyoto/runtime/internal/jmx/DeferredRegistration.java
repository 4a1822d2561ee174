package dev.kyoto.runtime.internal.jmx;

import dev.kyoto.runtime.KyotoRuntimeMXBean;
import java.util.concurrent.Executor;

/**
 * A runtime's MXBean registration that may still be under way. When an MBean server exists
 * already, the registration is made at once, on the caller's thread. When none does, the first
 * registration would create the platform MBean server, some 150 ms of CPU that a runtime's build
 * would otherwise add to every application's start on a full JDK: it is made on a thread of its
 * own instead, and the MXBean appears a moment after the runtime is built.
 *
 * <p>{@link #close()} undoes the registration: it waits for one under way, and one that has not
 * begun never will. The monitor of this object orders the two: {@code closed} and
 * {@code registration} are read and written only while holding it, and the registration itself
 * is made while holding it, so that {@code close} cannot slip between the check and the act.
 * Invariant: once {@code closed} is true, {@code registration} is null or unregistered, and stays
 * so.
 */
final class DeferredRegistration implements Runnable {
    private final String name;
    private final KyotoRuntimeMXBean bean;

    /** Set by {@link #close()}; guarded by {@code this}. */
    private boolean closed;

    /** The MXBean as registered, until {@link #close()}; null before, or if the server refused it. Guarded by {@code this}. */
    private JmxRegistration registration;

    private DeferredRegistration(String name, KyotoRuntimeMXBean bean) {
        this.name = name;
        this.bean = bean;
    }

    /**
     * Registers {@code bean} under {@code name} (see {@link JmxRegistration#register}): at once if
     * an MBean server exists, else through {@code firstServer}, which runs the registration on
     * another thread.
     */
    static DeferredRegistration start(String name, KyotoRuntimeMXBean bean, Executor firstServer) {
        DeferredRegistration deferred = new DeferredRegistration(name, bean);
        if (JmxRegistration.serverExists()) {
            deferred.register();
        } else {
            firstServer.execute(deferred::register);
        }
        return deferred;
    }

    private synchronized void register() {
        if (!closed) {
            registration = JmxRegistration.register(name, bean);
        }
    }

    /** Unregisters the MXBean, after waiting for a registration under way. Idempotent. */
    @Override
    public synchronized void run() {
        closed = true;
        if (registration != null) {
            registration.close();
            registration = null;
        }
    }
}
