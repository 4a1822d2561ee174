package dev.kyoto.test;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Where the build left the artifacts that the cross-module tests read. */
final class KyotoArtifacts {
    private KyotoArtifacts() {
    }

    /**
     * The sibling modules' jars, from the {@code kyoto.jars} system property that surefire sets.
     * This module's own jar is named there too but is only packaged after the tests run, so a
     * file found there now is left over from an earlier build and is skipped.
     */
    static List<Path> siblingJars() {
        String jars = System.getProperty("kyoto.jars");
        assertNotNull(jars, "surefire must set the kyoto.jars system property (see module-test/pom.xml)");
        Path ownBuildDir = ownOutput().getParent();
        List<Path> siblings = new ArrayList<>();
        for (String entry : jars.split(File.pathSeparator)) {
            Path jar = Path.of(entry).toAbsolutePath().normalize();
            if (jar.startsWith(ownBuildDir)) {
                continue;
            }
            assertTrue(Files.isRegularFile(jar), () -> jar + " does not exist: build that module first");
            siblings.add(jar);
        }
        return List.copyOf(siblings);
    }

    /** This module's build output directory, which holds its module-info.class and bnd's manifest. */
    static Path ownOutput() {
        try {
            return Path.of(TaskHarness.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("the test kit's classes have no file location", e);
        }
    }

    /** The jar on this test JVM's class path or module path whose file name starts with {@code prefix}. */
    static Optional<Path> testJvmJar(String prefix) {
        return Stream.of("java.class.path", "jdk.module.path")
                .map(System::getProperty)
                .filter(v -> v != null && !v.isEmpty())
                .flatMap(v -> Stream.of(v.split(File.pathSeparator)))
                .map(Path::of)
                .filter(p -> p.getFileName().toString().startsWith(prefix) && p.getFileName().toString().endsWith(".jar"))
                .findFirst();
    }
}
