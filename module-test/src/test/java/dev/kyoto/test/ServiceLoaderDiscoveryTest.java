package dev.kyoto.test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.net.TcpListener;
import dev.kyoto.net.TcpStream;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.spi.IoDriverMetrics;
import dev.kyoto.runtime.spi.IoDriverProvider;
import dev.kyoto.test.KyotoTest.Flavor;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.lang.reflect.InvocationTargetException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Shows that the I/O driver reaches the runtime through {@code uses}/{@code provides} alone.
 *
 * <p>Nothing here names the driver's provider class or its package: if these tests pass, the
 * one {@code provides} line in {@code dev.kyoto.io}'s descriptor is what connected the driver,
 * as the architecture requires.
 *
 * <p>In the test JVM every Kyoto module is already present, so two claims are checked in a module
 * layer these tests resolve themselves from the built jars, the way {@code jlink --bind-services}
 * or {@code java --module-path} would: that service binding from the runtime alone links the
 * driver module, and that without the driver module an I/O runtime fails and names it.
 */
class ServiceLoaderDiscoveryTest {
    private static final String DRIVER_PROPERTY = "kyoto.io.driver";
    private static final String RUNTIME = "dev.kyoto.runtime";
    private static final String IO = "dev.kyoto.io";

    @Test
    void runsOnTheModulePath() {
        // On the class path, discovery would go through META-INF/services and prove nothing
        // about the descriptors.
        assertEquals("dev.kyoto.test", getClass().getModule().getName(),
                "surefire must patch the tests into the module, not fall back to the class path");
        assertEquals(Optional.of("dev.kyoto.io"), ModuleLayer.boot().findModule(IO).map(Module::getName));
    }

    @KyotoTest(flavor = Flavor.BOTH)
    @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aRuntimeBuiltWithoutAProviderFindsTheDriverAndEchoes(KyotoRuntime rt) throws Exception {
        IoDriverMetrics metrics = rt.ioDriverMetrics()
                .orElseThrow(() -> new AssertionError("a runtime with I/O enabled came without an I/O driver"));

        byte[] message = "found through ServiceLoader".getBytes(StandardCharsets.US_ASCII);
        try (TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"))) {
            ByteBuffer serverBuffer = ByteBuffer.allocate(message.length);
            JoinHandle<TcpStream> server = rt.spawn(listener.accept().then(s -> s.readExact(serverBuffer)
                    .then(v -> s.writeAll(serverBuffer.flip()))
                    .map(v -> s)));
            try (TcpStream client = rt.blockOn(TcpStream.connect(listener.localAddress()))) {
                rt.blockOn(client.writeAll(ByteBuffer.wrap(message)));
                ByteBuffer echoed = ByteBuffer.allocate(message.length);
                rt.blockOn(client.readExact(echoed));
                assertArrayEquals(message, echoed.array());

                try (TcpStream accepted = rt.blockOn(server)) {
                    assertTrue(metrics.registeredCount() >= 3,
                            () -> "listener, client and accepted stream should be registered, count " + metrics.registeredCount());
                    assertTrue(metrics.readyCount() > 0, "the driver delivered no readiness events");
                    assertTrue(metrics.turnCount() > 0, "the driver never turned");
                    assertEquals(client.localAddress(), accepted.peerAddress());
                }
            }
        }
    }

    @Test
    void serviceLoaderInThisModuleFindsOnlyTheNioProvider() {
        // A descriptor `uses` line would tell jlink and readers that the kit consumes the driver
        // SPI, which only this test does; Module.addUses grants the same right at run time.
        getClass().getModule().addUses(IoDriverProvider.class);

        List<String> names = ServiceLoader.load(IoDriverProvider.class).stream().map(p -> p.get().name()).toList();
        assertEquals(List.of("nio"), names);
    }

    @Test
    void aDriverPropertyNamingNoProviderFailsTheBuild() {
        String previous = System.getProperty(DRIVER_PROPERTY);
        System.setProperty(DRIVER_PROPERTY, "nosuch");
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> KyotoRuntime.builder().currentThread().enableIo().build().close());
            assertTrue(e.getMessage().contains("nosuch"), e.getMessage());
        } finally {
            if (previous == null) {
                System.clearProperty(DRIVER_PROPERTY);
            } else {
                System.setProperty(DRIVER_PROPERTY, previous);
            }
        }
    }

    @Test
    void serviceBindingFromTheRuntimeAloneLinksTheDriverModule() throws Exception {
        ModuleLayer layer = layerWithRoot(RUNTIME, KyotoArtifacts.siblingJars());
        Module io = ownModule(layer, IO).orElseThrow(
                () -> new AssertionError("resolving " + RUNTIME + " with service binding did not bring in " + IO));
        Module uring = ownModule(layer, "dev.kyoto.io.uring").orElseThrow(
                () -> new AssertionError("resolving " + RUNTIME + " with service binding did not bring in dev.kyoto.io.uring"));
        assertEquals(Optional.empty(), ownModule(layer, "dev.kyoto.net"),
                "binding should add only the modules that provide drivers");

        Class<?> spi = Class.forName(IoDriverProvider.class.getName(), false, layer.findLoader(RUNTIME));
        List<Class<?>> providers = providerTypes(layer, spi);
        assertEquals(List.of(io, uring), providers.stream().map(Class::getModule).sorted(Comparator.comparing(Module::getName)).toList(),
                () -> "providers in the layer: " + providers);
        for (Class<?> provider : providers) {
            assertFalse(provider.getModule().isExported(provider.getPackageName()),
                    () -> "the provider's package " + provider.getPackageName() + " is exported; only the provides line should reach it");
        }
        // The layer grants io_uring no native access: its runtime runs on the selector.

        Optional<?> metrics = ioDriverMetricsOfAnIoRuntime(layer);
        assertTrue(metrics.isPresent(), "a runtime in the layer was built without an I/O driver");
    }

    @Test
    void withoutTheDriverModuleAnIoRuntimeFailsNamingIt() throws Exception {
        List<Path> runtimeOnly = KyotoArtifacts.siblingJars().stream()
                .filter(jar -> ModuleFinder.of(jar).find(RUNTIME).isPresent())
                .toList();
        assertEquals(1, runtimeOnly.size(), () -> "jars holding " + RUNTIME + ": " + runtimeOnly);
        ModuleLayer layer = layerWithRoot(RUNTIME, runtimeOnly);
        assertEquals(Optional.empty(), ownModule(layer, IO));

        InvocationTargetException thrown = assertThrows(InvocationTargetException.class,
                () -> ioDriverMetricsOfAnIoRuntime(layer));
        IllegalStateException e = assertInstanceOf(IllegalStateException.class, thrown.getCause());
        assertTrue(e.getMessage().contains(IO), () -> "the error should name the missing module: " + e.getMessage());
    }

    /**
     * A layer over the boot layer holding {@code jars} resolved from {@code root} with service
     * binding. The layer's loader has the platform loader as parent, so nothing leaks in from the
     * class path; SLF4J comes from the boot layer, or from the test JVM's jars when the tests run
     * on the class path.
     */
    private static ModuleLayer layerWithRoot(String root, List<Path> jars) {
        Path[] logging = Stream.of("slf4j-api-", "slf4j-simple-")
                .map(KyotoArtifacts::testJvmJar)
                .flatMap(Optional::stream)
                .toArray(Path[]::new);
        Configuration cf = ModuleLayer.boot().configuration()
                .resolveAndBind(ModuleFinder.of(jars.toArray(Path[]::new)), ModuleFinder.of(logging), Set.of(root));
        return ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
    }

    /** The module named {@code name} in the layer itself; {@code findModule} would also search the boot layer. */
    private static Optional<Module> ownModule(ModuleLayer layer, String name) {
        return layer.modules().stream().filter(m -> m.getName().equals(name)).findFirst();
    }

    private static <S> List<Class<?>> providerTypes(ModuleLayer layer, Class<S> spi) {
        ServiceLoaderDiscoveryTest.class.getModule().addUses(spi);
        return ServiceLoader.load(layer, spi).stream().<Class<?>>map(ServiceLoader.Provider::type).toList();
    }

    /**
     * Builds {@code KyotoRuntime.builder().currentThread().enableIo().build()} from the layer's
     * runtime module and returns its {@code ioDriverMetrics()}. The runtime looks for drivers
     * through the thread's context class loader, so that is the layer's loader meanwhile.
     */
    private static Optional<?> ioDriverMetricsOfAnIoRuntime(ModuleLayer layer) throws Exception {
        ClassLoader loader = layer.findLoader(RUNTIME);
        Class<?> runtimeType = Class.forName(KyotoRuntime.class.getName(), true, loader);
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            Object builder = runtimeType.getMethod("builder").invoke(null);
            Class<?> builderType = builder.getClass();
            builder = builderType.getMethod("currentThread").invoke(builder);
            builder = builderType.getMethod("enableIo").invoke(builder);
            try (AutoCloseable rt = (AutoCloseable) builderType.getMethod("build").invoke(builder)) {
                return (Optional<?>) runtimeType.getMethod("ioDriverMetrics").invoke(rt);
            }
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
