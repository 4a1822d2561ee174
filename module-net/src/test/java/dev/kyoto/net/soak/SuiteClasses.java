package dev.kyoto.net.soak;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Loads every class of this suite now. Test classes are read from a directory, one file each, when
 * first used: a test that runs the process out of descriptors must have loaded everything it
 * uses before, or a class it reaches for the first time while out fails to load.
 */
final class SuiteClasses {
    private SuiteClasses() {
    }

    static void load() throws ClassNotFoundException {
        Path dir = Path.of(System.getProperty("kyoto.testClasses"), "dev", "kyoto", "net", "soak");
        List<String> names;
        try (Stream<Path> files = Files.list(dir)) {
            names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".class"))
                    .map(n -> SuiteClasses.class.getPackageName() + "." + n.substring(0, n.length() - ".class".length()))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the suite's classes in " + dir, e);
        }
        for (String name : names) {
            Class.forName(name, false, SuiteClasses.class.getClassLoader());
        }
    }
}
