package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The code the documents show is the code the tests run: each method of {@link ReadmeEchoServer}
 * and {@link ReadmeProxy} appears in README.md, and each of {@link GuideExamples} in
 * docs/structured-concurrency.md, line for line (indentation aside, since a document shows a method outside its
 * class).
 */
class DocumentedCodeTest {
    private static final Path ROOT = Path.of("..");
    private static final Path SOURCES = Path.of("src", "test", "java", "dev", "kyoto", "net");

    @Test
    void theEchoServersMethodsAreTheReadmes() throws IOException {
        assertMethodsIn("README.md", "ReadmeEchoServer.java", 2);
    }

    @Test
    void theProxyIsTheReadmes() throws IOException {
        assertMethodsIn("README.md", "ReadmeProxy.java", 1);
    }

    @Test
    void theGuidesExamplesAreTheOnesTested() throws IOException {
        assertMethodsIn("docs/structured-concurrency.md", "GuideExamples.java", 7);
    }

    private static void assertMethodsIn(String document, String source, int expected) throws IOException {
        String text = normalize(Files.readString(ROOT.resolve(document)));
        List<String> methods = staticMethods(Files.readString(SOURCES.resolve(source)));
        assertEquals(expected, methods.size(), source + ": static methods");
        for (String method : methods) {
            assertTrue(text.contains(normalize(method)), source + ": this method is not in " + document + " as it stands:\n" + method);
        }
    }

    /** The static methods of a class, each from its signature line to its closing brace at the same indentation. */
    private static List<String> staticMethods(String source) {
        List<String> methods = new ArrayList<>();
        List<String> current = null;
        for (String line : source.split("\n")) {
            if (current == null && line.startsWith("    static ")) {
                current = new ArrayList<>();
            }
            if (current != null) {
                current.add(line);
                if (line.equals("    }")) {
                    methods.add(String.join("\n", current));
                    current = null;
                }
            }
        }
        assertFalse(current != null, "a method was never closed");
        return methods;
    }

    private static String normalize(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).collect(Collectors.joining("\n"));
    }
}
