package dev.kyoto.test;

import static java.util.stream.Collectors.toSet;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Exports;
import java.lang.module.ModuleDescriptor.Provides;
import java.lang.module.ModuleDescriptor.Requires;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.spi.ToolProvider;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks what the build actually shipped against the architecture's module rules: the
 * {@code module-info.class} of each Kyoto artifact, the OSGi manifest bnd wrote beside it, and
 * the {@code META-INF/services} files for class-path users. Sources can say the right thing while
 * a build plugin drops or rewrites it, so these tests read the artifacts, not the sources.
 *
 * <p>The sibling jars are those surefire names in {@code kyoto.jars}. This module's own jar is
 * only packaged after its tests run, so this module is checked from its build output directory,
 * where {@code module-info.class} and bnd's manifest already are when the tests run.
 */
class ModuleDescriptorsTest {
    private static final String RUNTIME = "dev.kyoto.runtime";
    private static final String IO = "dev.kyoto.io";
    private static final String IO_URING = "dev.kyoto.io.uring";
    private static final String NET = "dev.kyoto.net";
    private static final String TEST = "dev.kyoto.test";
    private static final String DRIVER_SPI = "dev.kyoto.runtime.spi.IoDriverProvider";
    private static final String SELECTOR_DRIVER = "dev.kyoto.io.internal.reactor.SelectorDriverProvider";
    private static final String URING_DRIVER = "dev.kyoto.io.uring.internal.driver.UringDriverProvider";
    private static final String BND_ANNOTATIONS = "biz.aQute.bnd.annotation";

    /** The exported packages of each module: exactly these, each to everyone. */
    private static final Map<String, Set<String>> EXPORTS = Map.of(
            RUNTIME, Set.of("dev.kyoto.runtime", "dev.kyoto.runtime.spi", "dev.kyoto.runtime.sync", "dev.kyoto.runtime.task",
                    "dev.kyoto.runtime.time"),
            IO, Set.of("dev.kyoto.io", "dev.kyoto.io.spi"),
            IO_URING, Set.of(),
            NET, Set.of("dev.kyoto.net"),
            TEST, Set.of("dev.kyoto.test"));

    /** One module as the build left it: a jar, or this module's exploded output directory. */
    private record Built(Path location, ModuleDescriptor descriptor, Manifest manifest) {
        String name() {
            return descriptor.name();
        }

        String header(String name) {
            String value = manifest.getMainAttributes().getValue(name);
            assertNotNull(value, () -> location + ": the manifest has no " + name + " header");
            return value;
        }

        boolean isJar() {
            return Files.isRegularFile(location);
        }

        /** The content of a resource of the artifact, or empty if it has none. */
        Optional<String> resource(String path) throws IOException {
            if (!isJar()) {
                Path file = location.resolve(path);
                return Files.isRegularFile(file) ? Optional.of(Files.readString(file)) : Optional.empty();
            }
            try (JarFile jar = new JarFile(location.toFile())) {
                ZipEntry entry = jar.getEntry(path);
                if (entry == null) {
                    return Optional.empty();
                }
                try (InputStream in = jar.getInputStream(entry)) {
                    return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }

        /** The names of the artifact's {@code META-INF/services} files. */
        Set<String> serviceFiles() throws IOException {
            String prefix = "META-INF/services/";
            if (!isJar()) {
                Path dir = location.resolve(prefix);
                if (!Files.isDirectory(dir)) {
                    return Set.of();
                }
                try (var files = Files.list(dir)) {
                    return files.map(f -> f.getFileName().toString()).collect(toSet());
                }
            }
            try (JarFile jar = new JarFile(location.toFile())) {
                return jar.stream().map(ZipEntry::getName)
                        .filter(n -> n.startsWith(prefix) && n.length() > prefix.length() && !n.endsWith("/"))
                        .map(n -> n.substring(prefix.length()))
                        .collect(toSet());
            }
        }
    }

    private static Map<String, Built> modules;

    @BeforeAll
    static void readArtifacts() throws IOException {
        List<Path> locations = new ArrayList<>(KyotoArtifacts.siblingJars());
        locations.add(KyotoArtifacts.ownOutput());

        Map<String, Built> found = new LinkedHashMap<>();
        for (Path location : locations) {
            Set<ModuleReference> refs = ModuleFinder.of(location).findAll();
            assertEquals(1, refs.size(), () -> location + " should hold exactly one module, found " + refs);
            ModuleDescriptor descriptor = refs.iterator().next().descriptor();
            Built built = new Built(location, descriptor, manifest(location));
            Built clash = found.put(descriptor.name(), built);
            assertNull(clash, () -> "module " + descriptor.name() + " is in both " + location + " and " + clash);
        }
        modules = Collections.unmodifiableMap(found);
    }

    private static Manifest manifest(Path location) throws IOException {
        if (Files.isRegularFile(location)) {
            try (JarFile jar = new JarFile(location.toFile())) {
                Manifest m = jar.getManifest();
                assertNotNull(m, () -> location + " has no manifest");
                return m;
            }
        }
        Path file = location.resolve(JarFile.MANIFEST_NAME);
        assertTrue(Files.isRegularFile(file), () -> file + " does not exist: bnd-process should have written it before the tests");
        try (InputStream in = Files.newInputStream(file)) {
            return new Manifest(in);
        }
    }

    private static Built module(String name) {
        Built b = modules.get(name);
        assertNotNull(b, () -> "module " + name + " was not among the artifacts read: " + modules.keySet());
        return b;
    }

    @Test
    void theArtifactsAreTheFiveKyotoModules() {
        assertEquals(Set.of(RUNTIME, IO, IO_URING, NET, TEST), modules.keySet());
    }

    @Test
    void noModuleIsAutomaticOrOpen() {
        assertAll(modules.values().stream().map(m -> () -> {
            ModuleDescriptor d = m.descriptor();
            assertFalse(d.isAutomatic(), () -> m.location() + " has no module-info.class; jlink refuses automatic modules");
            assertFalse(d.isOpen(), () -> m.name() + " is declared open");
            assertFalse(d.modifiers().contains(ModuleDescriptor.Modifier.OPEN), () -> m.name() + " has the open modifier");
        }));
    }

    @Test
    void eachModuleExportsExactlyItsPublicPackagesToEveryone() {
        assertAll(modules.values().stream().map(m -> () -> {
            Set<String> exported = new TreeSet<>();
            for (Exports e : m.descriptor().exports()) {
                assertFalse(e.isQualified(), () -> m.name() + " exports " + e.source() + " only to " + e.targets());
                exported.add(e.source());
            }
            assertEquals(new TreeSet<>(EXPORTS.get(m.name())), exported, () -> m.name() + " exports");
        }));
    }

    @Test
    void noPackageIsInTwoModules() {
        Map<String, String> owner = new HashMap<>();
        for (Built m : modules.values()) {
            for (String p : m.descriptor().packages()) {
                String other = owner.put(p, m.name());
                assertNull(other, () -> "package " + p + " is split between " + m.name() + " and " + other);
            }
        }
    }

    @Test
    void theRuntimeUsesTheDriverSpiAndNeverNamesADriver() {
        ModuleDescriptor runtime = module(RUNTIME).descriptor();
        assertEquals(Set.of(DRIVER_SPI), runtime.uses());
        assertEquals(Set.of(), runtime.provides());
        Set<String> kyotoRequires = runtime.requires().stream().map(Requires::name)
                .filter(n -> n.startsWith("dev.kyoto.")).collect(toSet());
        assertEquals(Set.of(), kyotoRequires, "the runtime must find its driver through ServiceLoader only");
    }

    @Test
    void ioProvidesTheSelectorDriver() {
        ModuleDescriptor io = module(IO).descriptor();
        assertEquals(List.of(new ProvidesLine(DRIVER_SPI, List.of(SELECTOR_DRIVER))), provides(io));
        String providerPackage = SELECTOR_DRIVER.substring(0, SELECTOR_DRIVER.lastIndexOf('.'));
        assertTrue(io.packages().contains(providerPackage), "the provider class must be in the io module");
    }

    /** The second driver: a provider only, exporting nothing, reached by the runtime through the same line. */
    @Test
    void ioUringProvidesTheIoUringDriverAndExportsNothing() {
        ModuleDescriptor uring = module(IO_URING).descriptor();
        assertEquals(List.of(new ProvidesLine(DRIVER_SPI, List.of(URING_DRIVER))), provides(uring));
        assertEquals(Set.of(), uring.exports());
        assertRequires(IO_URING, IO);
    }

    @Test
    void theDependencyChainIsTransitiveAndBndAnnotationsAreCompileOnly() {
        assertRequires(IO, RUNTIME, Requires.Modifier.TRANSITIVE);
        assertRequires(NET, IO, Requires.Modifier.TRANSITIVE);
        assertRequires(TEST, NET, Requires.Modifier.TRANSITIVE);
        assertAll(modules.values().stream().map(m -> () -> m.descriptor().requires().stream()
                .filter(r -> r.name().equals(BND_ANNOTATIONS))
                .forEach(r -> assertTrue(r.modifiers().contains(Requires.Modifier.STATIC),
                        () -> m.name() + " requires " + BND_ANNOTATIONS + " without static; it is absent at run time"))));
    }

    private static Requires requires(String from, String to) {
        return module(from).descriptor().requires().stream().filter(q -> q.name().equals(to)).findFirst()
                .orElseGet(() -> fail(from + " does not require " + to));
    }

    private static void assertRequires(String from, String to) {
        requires(from, to);
    }

    private static void assertRequires(String from, String to, Requires.Modifier modifier) {
        Requires r = requires(from, to);
        assertTrue(r.modifiers().contains(modifier), () -> from + " requires " + to + " with " + r.modifiers() + ", expected " + modifier);
    }

    @Test
    void eachBundleIsNamedAfterItsModule() {
        assertAll(modules.values().stream().map(m -> () -> {
            OsgiHeader bsn = OsgiHeader.parse(m.header("Bundle-SymbolicName"));
            assertEquals(List.of(m.name()), bsn.paths(), () -> m.location() + " Bundle-SymbolicName");
        }));
    }

    @Test
    void eachBundleExportsExactlyWhatItsModuleExports() {
        assertAll(modules.values().stream().map(m -> () -> {
            // bnd writes no Export-Package for a bundle that exports nothing (dev.kyoto.io.uring).
            String header = m.manifest().getMainAttributes().getValue("Export-Package");
            Set<String> fromManifest = header == null ? new TreeSet<>() : new TreeSet<>(OsgiHeader.parse(header).paths());
            Set<String> fromDescriptor = m.descriptor().exports().stream().map(Exports::source)
                    .collect(toSet());
            assertEquals(new TreeSet<>(fromDescriptor), fromManifest, () -> m.name() + ": Export-Package against exports");
        }));
    }

    @Test
    void theRuntimeBundleAsksForTheServiceLoaderProcessorAndForDrivers() {
        OsgiHeader required = OsgiHeader.parse(module(RUNTIME).header("Require-Capability"));
        assertTrue(hasExtender(required, "osgi.serviceloader.processor"),
                () -> "no osgi.serviceloader.processor extender in " + required);
        assertTrue(required.clausesFor("osgi.extender").stream()
                        .noneMatch(c -> "optional".equals(c.directives().get("resolution"))),
                () -> "the processor extender must be mandatory, or the bundle resolves and then finds no driver: " + required);

        List<OsgiHeader.Clause> drivers = serviceLoaderRequirements(required, DRIVER_SPI);
        assertEquals(1, drivers.size(), () -> "osgi.serviceloader requirements for " + DRIVER_SPI + " in " + required);
        Map<String, String> directives = drivers.getFirst().directives();
        assertEquals("multiple", directives.get("cardinality"), "a runtime may see several drivers");
        assertEquals("optional", directives.get("resolution"), "a runtime without I/O needs no driver");
    }

    @Test
    void theIoBundleRegistersTheSelectorDriver() {
        Built io = module(IO);
        OsgiHeader required = OsgiHeader.parse(io.header("Require-Capability"));
        assertTrue(hasExtender(required, "osgi.serviceloader.registrar"),
                () -> "no osgi.serviceloader.registrar extender in " + required);

        OsgiHeader provided = OsgiHeader.parse(io.header("Provide-Capability"));
        List<String> registered = provided.clausesFor("osgi.serviceloader").stream()
                .filter(c -> DRIVER_SPI.equals(c.attributes().get("osgi.serviceloader")))
                .map(c -> c.directives().get("register"))
                .toList();
        assertEquals(List.of(SELECTOR_DRIVER), registered, () -> "osgi.serviceloader capabilities in " + provided);
    }

    @Test
    void everyServiceLoaderLineIsMirroredInTheManifest() {
        assertAll(modules.values().stream().map(m -> () -> {
            Attributes main = m.manifest().getMainAttributes();
            Optional<OsgiHeader> required = Optional.ofNullable(main.getValue("Require-Capability")).map(OsgiHeader::parse);
            for (String service : m.descriptor().uses()) {
                assertEquals(1, required.map(r -> serviceLoaderRequirements(r, service).size()).orElse(0),
                        () -> m.name() + " uses " + service + " but its bundle does not require that osgi.serviceloader capability");
            }
            Map<String, Set<String>> registered = new TreeMap<>();
            Optional.ofNullable(main.getValue("Provide-Capability")).map(OsgiHeader::parse)
                    .ifPresent(p -> p.clausesFor("osgi.serviceloader").forEach(c -> registered
                            .computeIfAbsent(c.attributes().get("osgi.serviceloader"), k -> new TreeSet<>())
                            .add(c.directives().get("register"))));
            Map<String, Set<String>> declared = new TreeMap<>();
            provides(m.descriptor()).forEach(p -> declared.put(p.service(), new TreeSet<>(p.providers())));
            assertEquals(declared, registered, () -> m.name() + ": osgi.serviceloader capabilities against provides");
        }));
    }

    @Test
    void everyProvidesLineHasItsServicesFileForTheClassPath() {
        assertAll(modules.values().stream().map(m -> () -> {
            Map<String, List<String>> files = new TreeMap<>();
            for (String service : m.serviceFiles()) {
                String text = m.resource("META-INF/services/" + service).orElseThrow();
                files.put(service, text.lines().map(l -> l.replaceFirst("#.*", "").strip()).filter(l -> !l.isEmpty()).toList());
            }
            Map<String, List<String>> declared = new TreeMap<>();
            provides(m.descriptor()).forEach(p -> declared.put(p.service(), p.providers()));
            assertEquals(declared, files, () -> m.name() + ": META-INF/services against provides");
        }));
        assertTrue(module(IO).isJar(), "the io module must be read from its jar");
    }

    @Test
    void theJarToolDescribesTheServiceLines() {
        Optional<ToolProvider> jarTool = ToolProvider.findFirst("jar");
        assumeTrue(jarTool.isPresent(), "no jar tool (module jdk.jartool) in this JVM; the ModuleDescriptor tests still ran");
        String runtime = describe(jarTool.get(), module(RUNTIME));
        assertTrue(runtime.lines().anyMatch(l -> l.strip().equals("uses " + DRIVER_SPI)), runtime);
        String io = describe(jarTool.get(), module(IO));
        assertTrue(io.lines().anyMatch(l -> l.strip().equals("provides " + DRIVER_SPI + " with " + SELECTOR_DRIVER)), io);
        assertTrue(io.lines().noneMatch(l -> l.strip().startsWith("uses ")), io);
    }

    private static String describe(ToolProvider jar, Built m) {
        assertTrue(m.isJar(), () -> m.name() + " was not read from a jar");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = jar.run(o, e, "--describe-module", "--file", m.location().toString());
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, () -> "jar --describe-module failed for " + m.location() + ": " + err.toString(StandardCharsets.UTF_8));
        assertTrue(text.startsWith(m.name() + "@"), () -> "jar tool names another module: " + text);
        return text;
    }

    private static boolean hasExtender(OsgiHeader required, String extender) {
        String term = "(osgi.extender=" + extender + ")";
        return required.clausesFor("osgi.extender").stream()
                .anyMatch(c -> c.directives().getOrDefault("filter", "").contains(term));
    }

    private static List<OsgiHeader.Clause> serviceLoaderRequirements(OsgiHeader required, String service) {
        String term = "(osgi.serviceloader=" + service + ")";
        return required.clausesFor("osgi.serviceloader").stream()
                .filter(c -> c.directives().getOrDefault("filter", "").contains(term))
                .toList();
    }

    /** A {@code provides} line with its providers in declaration order, comparable by value. */
    private record ProvidesLine(String service, List<String> providers) {
    }

    private static List<ProvidesLine> provides(ModuleDescriptor d) {
        return d.provides().stream().sorted().map((Provides p) -> new ProvidesLine(p.service(), p.providers())).toList();
    }
}
