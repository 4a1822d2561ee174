package dev.kyoto.runtime.internal.jmx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kyoto.runtime.KyotoRuntime;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import javax.management.MBeanServer;
import javax.management.MBeanServerDelegate;
import javax.management.MBeanServerFactory;
import javax.management.MBeanServerNotification;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The first MXBean registration in a JVM, which would create the platform MBean server, is made
 * off the thread that builds the runtime; closing the runtime undoes it whenever it runs. One
 * test, in a JVM of its own (tag {@code jmx-first}), since its steps need a JVM in which no MBean
 * server exists yet.
 */
@Tag("jmx-first")
@Timeout(60)
class FirstRegistrationTest {

    private static ObjectName name(String runtime) throws Exception {
        return new ObjectName("dev.kyoto:type=Runtime,name=" + runtime);
    }

    private static boolean anyServer() {
        return !MBeanServerFactory.findMBeanServer(null).isEmpty();
    }

    @Test
    void theFirstRegistrationRunsElsewhereAndCloseUndoesItWheneverItRuns() throws Exception {
        assertFalse(anyServer(), "this JVM must start without an MBean server");
        try (KyotoRuntime metricsOf = KyotoRuntime.builder().jmx(false).build()) {
            // Closed before the registration runs: it never registers, and so never creates the server.
            List<Runnable> held = new ArrayList<>();
            Runnable unregister = Jmx.register("closed-first", metricsOf.metrics(), held::add);
            assertEquals(1, held.size(), "with no server, the registration is handed to the executor");
            unregister.run();
            held.getFirst().run();
            assertFalse(anyServer(), "a registration closed before it ran does nothing");
        }

        // Through the builder. ManagementFactory.getPlatformMBeanServer() is a static synchronized
        // method: while this thread holds the class's monitor, a server can be created only here.
        KyotoRuntime rt;
        synchronized (ManagementFactory.class) {
            rt = KyotoRuntime.builder().threadName("built-first").build();
            assertFalse(anyServer(), "build() created the platform MBean server on its caller's thread");
        }
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = name("built-first");
        CountDownLatch registered = new CountDownLatch(1);
        NotificationListener listener = (notification, handback) -> {
            if (notification instanceof MBeanServerNotification n && name.equals(n.getMBeanName())
                    && MBeanServerNotification.REGISTRATION_NOTIFICATION.equals(n.getType())) {
                registered.countDown();
            }
        };
        server.addNotificationListener(MBeanServerDelegate.DELEGATE_NAME, listener, null, null);
        try {
            if (!server.isRegistered(name)) {
                registered.await();
            }
            assertEquals(1, server.getAttribute(name, "Workers"));
        } finally {
            server.removeNotificationListener(MBeanServerDelegate.DELEGATE_NAME, listener);
            rt.close();
        }
        assertFalse(server.isRegistered(name), "unregistered at close");

        // Once a server exists, registration is at once, on the caller's thread.
        try (KyotoRuntime metricsOf = KyotoRuntime.builder().jmx(false).build()) {
            Runnable unregister = Jmx.register("at-once", metricsOf.metrics(), task -> fail("handed to the executor"));
            assertTrue(server.isRegistered(name("at-once")));
            unregister.run();
            assertFalse(server.isRegistered(name("at-once")));
        }
    }
}
