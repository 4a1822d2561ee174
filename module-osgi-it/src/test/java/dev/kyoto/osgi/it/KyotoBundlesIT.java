package dev.kyoto.osgi.it;

import static dev.kyoto.osgi.it.EmbeddedFramework.CODEC;
import static dev.kyoto.osgi.it.EmbeddedFramework.IO;
import static dev.kyoto.osgi.it.EmbeddedFramework.NET;
import static dev.kyoto.osgi.it.EmbeddedFramework.RUNTIME;
import static dev.kyoto.osgi.it.EmbeddedFramework.SLF4J;
import static dev.kyoto.osgi.it.EmbeddedFramework.SPI_FLY;
import static dev.kyoto.osgi.it.EmbeddedFramework.TLS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.BundleWiring;

/**
 * Kyoto's bundles in Apache Felix 7 with Apache Aries SPI Fly as the Service Loader Mediator.
 *
 * <p>Each test launches its own framework (a fresh bundle cache) and installs what it needs from
 * {@code target/bundles}. The echo runs in the probe bundle ({@code src/main/java}), reached
 * through the service registry: a bundle of its own gives the Kyoto code the class loaders a real
 * application would have, and lets it use Kyoto's API as written (lambdas, {@code Async} chains)
 * instead of driving it by reflection from outside. The one test that cannot install the probe
 * (no io bundle, so the probe's import of {@code dev.kyoto.net} cannot resolve) calls the
 * runtime's builder by reflection, through the runtime bundle's own class loader.
 */
class KyotoBundlesIT {
    /** Generous for a framework start, a few installs and one round trip (about a second each). */
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String PROVIDER_FILE = "META-INF/services/dev.kyoto.runtime.spi.IoDriverProvider";
    private static final List<String> KYOTO = List.of("dev.kyoto.runtime", "dev.kyoto.io", "dev.kyoto.net", "dev.kyoto.codec", "dev.kyoto.tls");

    @Test
    void theTestClassPathHoldsNoBundle() {
        // The premise of every other test: outside the framework nothing can see Kyoto, its
        // driver's services file or the mediator, so whatever finds the driver runs inside.
        ClassLoader appLoader = getClass().getClassLoader();
        for (String className : List.of("dev.kyoto.runtime.KyotoRuntime", "dev.kyoto.io.internal.reactor.SelectorDriverProvider",
                "dev.kyoto.net.TcpStream", "dev.kyoto.osgi.probe.EchoProbe", "org.slf4j.LoggerFactory",
                "org.objectweb.asm.ClassReader", "org.apache.aries.spifly.Util")) {
            assertThrows(ClassNotFoundException.class, () -> Class.forName(className, false, appLoader), className);
        }
        assertSame(appLoader, Thread.currentThread().getContextClassLoader());
        assertNull(appLoader.getResource(PROVIDER_FILE));
    }

    @Test
    void everyBundleResolvesAndStartsWithoutDynamicOrOptionalImports(@TempDir Path storage) throws Exception {
        try (EmbeddedFramework osgi = EmbeddedFramework.launch(storage)) {
            assertTimeoutPreemptively(TIMEOUT, () -> {
                startEverything(osgi);
                System.out.println("Bundles:\n" + osgi.describeBundles() + "\nMediator wires:\n" + osgi.describeMediatorWires());

                for (Bundle b : osgi.context().getBundles()) {
                    assertEquals("ACTIVE", EmbeddedFramework.stateName(b.getState()), b.getSymbolicName());
                }
                for (String name : Stream.concat(KYOTO.stream(), Stream.of("dev.kyoto.osgi.probe")).toList()) {
                    Bundle b = osgi.bundle(name);
                    assertNull(b.getHeaders().get("DynamicImport-Package"), name + " has DynamicImport-Package");
                    b.adapt(BundleRevision.class).getDeclaredRequirements(PackageNamespace.PACKAGE_NAMESPACE)
                            .forEach(r -> assertNull(r.getDirectives().get(PackageNamespace.REQUIREMENT_RESOLUTION_DIRECTIVE),
                                    name + " imports with a resolution directive: " + r));
                }

                // The runtime's processor requirement and the io bundle's registrar requirement
                // are both met by SPI Fly; the runtime's optional osgi.serviceloader requirement
                // is met by the io bundle, so the resolver knows who provides the driver.
                assertEquals(List.of(SPI_FLY), osgi.wiredProviders("dev.kyoto.runtime", "osgi.extender"));
                assertEquals(List.of("dev.kyoto.io"), osgi.wiredProviders("dev.kyoto.runtime", "osgi.serviceloader"));
                assertEquals(List.of(SPI_FLY), osgi.wiredProviders("dev.kyoto.io", "osgi.extender"));
                assertEquals(List.of("slf4j.simple"), osgi.wiredProviders("slf4j.api", "osgi.serviceloader"));
                assertEquals(List.of(), osgi.problems());
            });
        }
    }

    @ParameterizedTest(name = "{0} runtime")
    @ValueSource(strings = {"current-thread", "multi-thread"})
    void echoRoundTripOnARuntimeThatFoundItsDriverThroughTheMediator(String flavour, @TempDir Path storage) throws Exception {
        try (EmbeddedFramework osgi = EmbeddedFramework.launch(storage)) {
            assertTimeoutPreemptively(TIMEOUT, () -> {
                startEverything(osgi);
                ServiceReference<?>[] refs = osgi.context().getServiceReferences(Callable.class.getName(),
                        "(&(kyoto.probe=echo)(kyoto.flavour=" + flavour + "))");
                assertNotNull(refs, "the probe registered no " + flavour + " echo");
                assertEquals(1, refs.length);
                Callable<?> probe = (Callable<?>) osgi.context().getService(refs[0]);

                Map<?, ?> report = assertInstanceOf(Map.class, probe.call());
                System.out.println("Echo probe (" + flavour + "): " + report);

                assertEquals("hello from inside the framework", report.get("echoed"));
                assertEquals("dev.kyoto.runtime", report.get("runtimeBundle"));
                assertEquals("dev.kyoto.net", report.get("netBundle"));
                assertEquals("dev.kyoto.codec", report.get("codecBundle"));
                assertEquals("dev.kyoto.tls", report.get("tlsBundle"));
                assertEquals("dev.kyoto.io", report.get("driverBundle"));
                assertTrue((Long) report.get("readyEvents") > 0, "the driver delivered no readiness event");
                assertEquals(false, report.get("contextLoaderSeesDriver"));

                // The processor side: SPI Fly wove DriverSelection's ServiceLoader.load call into a
                // call to its own Util, and the weaving added the import that call needs. That
                // import is the runtime bundle's only wire to SPI Fly's packages.
                Bundle runtime = osgi.bundle("dev.kyoto.runtime");
                List<String> wovenImports = runtime.adapt(BundleWiring.class).getRequiredWires(PackageNamespace.PACKAGE_NAMESPACE).stream()
                        .filter(wire -> wire.getProvider().getBundle().getSymbolicName().equals(SPI_FLY))
                        .map(wire -> (String) wire.getCapability().getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE))
                        .toList();
                System.out.println("Runtime imports from SPI Fly after the echo: " + wovenImports);
                assertEquals(List.of("org.apache.aries.spifly"), wovenImports);

                // SPI Fly's registrar side also publishes the provider as an OSGi service.
                ServiceReference<?>[] drivers = runtime.getBundleContext()
                        .getServiceReferences("dev.kyoto.runtime.spi.IoDriverProvider", null);
                assertNotNull(drivers, "no IoDriverProvider service");
                assertEquals(1, drivers.length);
                assertEquals("dev.kyoto.io", drivers[0].getBundle().getSymbolicName());
                assertEquals(osgi.bundle(SPI_FLY).getBundleId(), drivers[0].getProperty("serviceloader.mediator"));

                // A weaving hook that failed (an ASM too old for the class files) shows up here.
                assertEquals(List.of(), osgi.problems());
            });
        }
    }

    @Test
    void withoutTheIoBundleBuildingARuntimeWithIoNamesTheMissingModule(@TempDir Path storage) throws Exception {
        try (EmbeddedFramework osgi = EmbeddedFramework.launch(storage)) {
            assertTimeoutPreemptively(TIMEOUT, () -> {
                osgi.startMediator();
                List<Bundle> bundles = osgi.install(concat(SLF4J, RUNTIME));
                EmbeddedFramework.start(bundles);
                Bundle runtime = osgi.bundle("dev.kyoto.runtime");
                assertEquals("ACTIVE", EmbeddedFramework.stateName(runtime.getState()));

                Class<?> runtimeClass = runtime.loadClass("dev.kyoto.runtime.KyotoRuntime");
                assertSame(runtime, FrameworkUtil.getBundle(runtimeClass));
                Object builder = runtimeClass.getMethod("builder").invoke(null);
                builder.getClass().getMethod("enableIo").invoke(builder);
                Method build = builder.getClass().getMethod("build");

                InvocationTargetException thrown = assertThrows(InvocationTargetException.class, () -> build.invoke(builder));
                IllegalStateException noDriver = assertInstanceOf(IllegalStateException.class, thrown.getCause());
                assertTrue(noDriver.getMessage().contains("dev.kyoto.io"), noDriver.getMessage());
                System.out.println("Without the io bundle: " + noDriver);
            });
        }
    }

    @Test
    void withoutSpiFlyTheRuntimeBundleDoesNotResolve(@TempDir Path storage) throws Exception {
        try (EmbeddedFramework osgi = EmbeddedFramework.launch(storage)) {
            assertTimeoutPreemptively(TIMEOUT, () -> {
                osgi.install(concat(SLF4J, RUNTIME, IO, NET));
                BundleException thrown = assertThrows(BundleException.class, () -> osgi.bundle("dev.kyoto.runtime").start());
                System.out.println("Without SPI Fly: " + thrown.getMessage());
                assertEquals(BundleException.RESOLVE_ERROR, thrown.getType());
                assertTrue(thrown.getMessage().contains("osgi.serviceloader.processor"), thrown.getMessage());
            });
        }
    }

    /**
     * Installs and starts, in this order, the mediator (ASM, SPI Fly), SLF4J, Kyoto's runtime, io
     * and net bundles and the probe.
     */
    private static void startEverything(EmbeddedFramework osgi) throws BundleException {
        osgi.startMediator();
        List<Bundle> bundles = new ArrayList<>(osgi.install(concat(SLF4J, RUNTIME, IO, NET, CODEC, TLS)));
        bundles.add(osgi.installProbe());
        EmbeddedFramework.start(bundles);
    }

    private static List<String> concat(List<String> first, String... more) {
        return Stream.concat(first.stream(), Stream.of(more)).toList();
    }
}
