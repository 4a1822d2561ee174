package dev.kyoto.osgi.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;

/**
 * An Apache Felix framework embedded in one test, launched through the OSGi
 * {@link FrameworkFactory} with a storage directory of its own, into which the test installs
 * bundles by file name from {@code target/bundles}. Closing it stops the framework and waits for
 * the stop.
 *
 * <p>The bundle jars are found through two system properties that the build sets:
 * {@code kyoto.osgi.bundles} (the directory {@code dependency:copy-dependencies} filled, with
 * version-free names) and {@code kyoto.osgi.probe} (this module's own jar, the probe bundle).
 */
final class EmbeddedFramework implements AutoCloseable {
    /** ASM, in the order the five bundles import one another, then SPI Fly, which imports three of them. */
    static final List<String> MEDIATOR = List.of(
            "asm.jar", "asm-tree.jar", "asm-analysis.jar", "asm-commons.jar", "asm-util.jar",
            "org.apache.aries.spifly.dynamic.bundle.jar");
    /** The SLF4J API and its provider, which the API finds through the mediator, as the runtime finds its driver. */
    static final List<String> SLF4J = List.of("slf4j-api.jar", "slf4j-simple.jar");
    /** Kyoto's runtime bundle, the consumer of {@code IoDriverProvider}. */
    static final String RUNTIME = "kyoto-runtime.jar";
    /** Kyoto's io bundle, the provider of the selector driver. */
    static final String IO = "kyoto-io.jar";
    /** Kyoto's networking bundle. */
    static final String NET = "kyoto-net.jar";
    /** Kyoto's codec bundle, which the probe frames its echo with. */
    static final String CODEC = "kyoto-codec.jar";
    /** Kyoto's TLS bundle, whose connector the probe makes. */
    static final String TLS = "kyoto-tls.jar";
    /** SPI Fly's symbolic name. */
    static final String SPI_FLY = "org.apache.aries.spifly.dynamic.bundle";

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final Framework framework;
    private final List<FrameworkEvent> problems = new CopyOnWriteArrayList<>();

    private EmbeddedFramework(Framework framework) {
        this.framework = framework;
    }

    /**
     * Starts a framework with nothing but the system bundle. Felix 7.0.5 needs no configuration on
     * JDK 25: it derives {@code osgi.ee=JavaSE} up to version 25 and the {@code java.*} exports
     * from the running JDK.
     *
     * @param storage an empty directory for the framework's bundle cache, used by this framework only
     */
    static EmbeddedFramework launch(Path storage) throws BundleException {
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("no OSGi FrameworkFactory on the test class path"));
        Framework framework = factory.newFramework(Map.of(
                Constants.FRAMEWORK_STORAGE, storage.toString(),
                Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT));
        framework.init();
        EmbeddedFramework embedded = new EmbeddedFramework(framework);
        framework.getBundleContext().addFrameworkListener(event -> {
            if (event.getType() == FrameworkEvent.ERROR || event.getType() == FrameworkEvent.WARNING) {
                embedded.problems.add(event);
            }
        });
        framework.start();
        return embedded;
    }

    /**
     * Installs and starts ASM and SPI Fly. This has to come before any bundle that uses
     * {@code ServiceLoader} loads a class: SPI Fly weaves the {@code ServiceLoader.load} calls as
     * classes are defined, and a class defined before it was active stays unwoven (it then finds
     * nothing, silently).
     */
    void startMediator() throws BundleException {
        start(install(MEDIATOR));
    }

    /**
     * Installs the named jars of {@code target/bundles}, in the given order, without starting them.
     *
     * @return the installed bundles, in the same order
     */
    List<Bundle> install(List<String> jarNames) throws BundleException {
        Path directory = Path.of(requiredProperty("kyoto.osgi.bundles"));
        List<Bundle> installed = new ArrayList<>();
        for (String name : jarNames) {
            installed.add(installJar(directory.resolve(name)));
        }
        return installed;
    }

    /** Installs the probe bundle (this module's jar), without starting it. */
    Bundle installProbe() throws BundleException {
        return installJar(Path.of(requiredProperty("kyoto.osgi.probe")));
    }

    /** Starts {@code bundles} in order; the first that fails to resolve or start throws. */
    static void start(List<Bundle> bundles) throws BundleException {
        for (Bundle b : bundles) {
            b.start();
        }
    }

    /** The framework's own bundle context, through which the tests look at bundles, wires and services. */
    BundleContext context() {
        return framework.getBundleContext();
    }

    /** The installed bundle with this symbolic name. */
    Bundle bundle(String symbolicName) {
        return Arrays.stream(context().getBundles())
                .filter(b -> symbolicName.equals(b.getSymbolicName()))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no bundle " + symbolicName + " in " + describeBundles()));
    }

    /** The ERROR and WARNING framework events so far, for example a weaving hook that failed. */
    List<FrameworkEvent> problems() {
        return List.copyOf(problems);
    }

    /** One line per bundle: id, symbolic name, version and state. */
    String describeBundles() {
        return Arrays.stream(context().getBundles())
                .map(b -> String.format("  [%2d] %-42s %-16s %s", b.getBundleId(), b.getSymbolicName(), b.getVersion(),
                        stateName(b.getState())))
                .collect(Collectors.joining("\n"));
    }

    /** The symbolic names of the bundles that {@code requirer}'s requirements in {@code namespace} are wired to. */
    List<String> wiredProviders(String requirer, String namespace) {
        return bundle(requirer).adapt(BundleWiring.class).getRequiredWires(namespace).stream()
                .map(wire -> wire.getProvider().getBundle().getSymbolicName())
                .toList();
    }

    /**
     * One line per wire in the {@code osgi.extender} and {@code osgi.serviceloader} namespaces, the
     * ones that connect the Service Loader Mediator, its consumers and its providers:
     * {@code requirer --namespace(value)--> provider}.
     */
    String describeMediatorWires() {
        List<String> lines = new ArrayList<>();
        for (Bundle b : context().getBundles()) {
            BundleWiring wiring = b.adapt(BundleWiring.class);
            if (wiring == null) {
                continue;
            }
            for (String namespace : List.of("osgi.extender", "osgi.serviceloader")) {
                for (BundleWire wire : wiring.getRequiredWires(namespace)) {
                    lines.add(String.format("  %s --%s(%s)--> %s", b.getSymbolicName(), namespace,
                            wire.getCapability().getAttributes().get(namespace),
                            wire.getProvider().getBundle().getSymbolicName()));
                }
            }
        }
        return String.join("\n", lines);
    }

    /** Stops the framework and waits for it to stop, at most ten seconds. */
    @Override
    public void close() throws BundleException {
        framework.stop();
        FrameworkEvent stopped;
        try {
            stopped = framework.waitForStop(STOP_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the framework to stop", e);
        }
        if (stopped.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
            throw new IllegalStateException("the framework did not stop within " + STOP_TIMEOUT);
        }
    }

    private Bundle installJar(Path jar) throws BundleException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run the tests through Maven (verify), which copies the bundles");
        }
        return context().installBundle(jar.toUri().toString());
    }

    private static String requiredProperty(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            throw new IllegalStateException("system property " + name + " is not set: run the tests through Maven (verify)");
        }
        return value;
    }

    /** The name of a bundle state constant, for messages that a person reads. */
    static String stateName(int state) {
        return switch (state) {
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.ACTIVE -> "ACTIVE";
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            default -> "state " + state;
        };
    }
}
