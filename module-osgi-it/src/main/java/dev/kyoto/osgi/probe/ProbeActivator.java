package dev.kyoto.osgi.probe;

import java.util.Hashtable;
import java.util.concurrent.Callable;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * Publishes the {@linkplain EchoProbe echo probes} in the OSGi service registry, one per runtime
 * flavour, under {@link Callable} with the properties {@code kyoto.probe=echo} and
 * {@code kyoto.flavour=current-thread} or {@code multi-thread}.
 *
 * <p>The service type is a JDK interface on purpose: the tests live on the class path, outside
 * the framework, and {@code java.*} is the only code they share with a bundle. Through it they
 * call Kyoto code that runs entirely with the bundles' class loaders, without reflection.
 */
public final class ProbeActivator implements BundleActivator {

    /** Instantiated by the framework when the probe bundle starts. */
    public ProbeActivator() {
    }

    @Override
    public void start(BundleContext context) {
        register(context, "current-thread", new EchoProbe(false));
        register(context, "multi-thread", new EchoProbe(true));
    }

    @Override
    public void stop(BundleContext context) {
        // The framework unregisters a stopping bundle's services itself; the probes hold nothing else.
    }

    private static void register(BundleContext context, String flavour, EchoProbe probe) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("kyoto.probe", "echo");
        properties.put("kyoto.flavour", flavour);
        context.registerService(Callable.class.getName(), probe, properties);
    }
}
