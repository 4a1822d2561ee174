package dev.kyoto.runtime.internal.jmx;

import dev.kyoto.runtime.KyotoRuntimeMXBean;
import java.lang.management.ManagementFactory;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A runtime's MXBean registered with the platform MBean server, until {@link #close()}. The only
 * class of the runtime that names {@code java.management}, which the module requires
 * {@code static}: it is loaded only through {@link Jmx}, once that has found the module.
 */
public final class JmxRegistration implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JmxRegistration.class);

    private final MBeanServer server;
    private final ObjectName name;

    private JmxRegistration(MBeanServer server, ObjectName name) {
        this.server = server;
        this.name = name;
    }

    /**
     * Registers {@code bean} as {@code dev.kyoto:type=Runtime,name=NAME}, {@code NAME} being
     * {@code baseName} or, if a runtime of that name is registered already, {@code baseName-2},
     * {@code baseName-3}, …; null (after a WARN line) if the server refuses it.
     */
    public static JmxRegistration register(String baseName, KyotoRuntimeMXBean bean) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        for (int n = 1; ; n++) {
            String runtimeName = n == 1 ? baseName : baseName + "-" + n;
            try {
                ObjectName name = new ObjectName("dev.kyoto:type=Runtime,name=" + quotedIfNeeded(runtimeName));
                server.registerMBean(bean, name);
                return new JmxRegistration(server, name);
            } catch (InstanceAlreadyExistsException e) {
                // Another runtime has this name: try the next one.
            } catch (JMException | RuntimeException e) {
                LOG.warn("could not register the Kyoto runtime's MXBean as {}; its metrics stay readable through "
                        + "KyotoRuntime.metrics()", runtimeName, e);
                return null;
            }
        }
    }

    /**
     * Whether an MBean server exists, the platform's among them: {@link ManagementFactory}
     * creates that one through {@link MBeanServerFactory#createMBeanServer()}, which lists it.
     */
    static boolean serverExists() {
        return !MBeanServerFactory.findMBeanServer(null).isEmpty();
    }

    /** {@code name} as an object name's value: as it is when it can be, else quoted. */
    private static String quotedIfNeeded(String name) {
        return name.matches("[A-Za-z0-9._-]+") ? name : ObjectName.quote(name);
    }

    /** The name it is registered under. */
    public ObjectName name() {
        return name;
    }

    /** Unregisters the MXBean. Idempotent. */
    @Override
    public void close() {
        try {
            server.unregisterMBean(name);
        } catch (InstanceNotFoundException e) {
            // Already unregistered (by close, or by whoever else unregistered it).
        } catch (JMException e) {
            LOG.warn("could not unregister the Kyoto runtime's MXBean {}: the MBean server keeps it, and through it the "
                    + "closed runtime, reachable until it is unregistered", name, e);
        }
    }
}
