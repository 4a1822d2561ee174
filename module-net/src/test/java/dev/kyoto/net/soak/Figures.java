package dev.kyoto.net.soak;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * What a test measured, for {@code docs/reliability.md}: each line is appended to
 * {@code target/soak-figures/CLASS.txt} (the directory is the {@code kyoto.soak.figures} system
 * property that surefire sets), which {@code scripts/soak} prints at the end of a run, and in the
 * soak run printed as well (the default build stays quiet). A test
 * class starts its file afresh; its tests run one after another, so nothing here is shared
 * between threads.
 */
final class Figures {
    private final String test;
    private final Path file;

    private Figures(String test, Path file) {
        this.test = test;
        this.file = file;
    }

    /** The figures of {@code testClass}, its file emptied. */
    static Figures of(Class<?> testClass) {
        Path dir = Path.of(System.getProperty("kyoto.soak.figures", "target/soak-figures"));
        Path file = dir.resolve(testClass.getSimpleName() + ".txt");
        try {
            Files.createDirectories(dir);
            Files.writeString(file, "# " + testClass.getSimpleName() + " (" + Soak.mode() + " sizes)\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the soak figures to " + file, e);
        }
        return new Figures(testClass.getSimpleName(), file);
    }

    /** Records one line, {@link String#format} style (in the root locale: 1,234.5). */
    void add(String format, Object... args) {
        String line = String.format(Locale.ROOT, format, args);
        if (Soak.FULL) {
            System.out.println("[soak] " + test + ": " + line);
        }
        try {
            Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the soak figures to " + file, e);
        }
    }
}
