package dev.kyoto.test;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The test class README.md and docs/guide.md show is the one this build runs: {@link PingTest} is
 * their {@code ping.PingTest} line for line, but for its package (the kit's tests are compiled
 * into the kit's module, where a package of their own would need opening to JUnit by hand).
 * module-cli's DocumentedProgramsTest compiles and runs every other program the documents show.
 */
class DocumentedTestsTest {
    private static final Path ROOT = Path.of("..");
    private static final String DOCUMENTED_PACKAGE = "package ping;";

    @Test
    void theReadmeShowsPingTestAsItRuns() throws IOException {
        assertShown("README.md");
    }

    @Test
    void theGuideShowsPingTestAsItRuns() throws IOException {
        assertShown("docs/guide.md");
    }

    private static void assertShown(String document) throws IOException {
        String copy = Files.readString(Path.of("src/test/java/dev/kyoto/test/PingTest.java"))
                .replaceFirst("package dev\\.kyoto\\.test;", DOCUMENTED_PACKAGE);
        List<String> shown = javaBlocksStartingWith(Files.readString(ROOT.resolve(document)), DOCUMENTED_PACKAGE);
        assertEquals(1, shown.size(), document + " should show one ```java block starting with \"" + DOCUMENTED_PACKAGE + "\"");
        assertEquals(copy, shown.get(0), document + "'s PingTest differs from module-test's PingTest.java: change both");
    }

    private static List<String> javaBlocksStartingWith(String markdown, String start) {
        List<String> blocks = new ArrayList<>();
        StringBuilder text = null;
        for (String line : markdown.split("\n", -1)) {
            if (text == null && line.equals("```java")) {
                text = new StringBuilder();
            } else if (text != null && line.equals("```")) {
                if (text.toString().startsWith(start)) {
                    blocks.add(text.toString());
                }
                text = null;
            } else if (text != null) {
                text.append(line).append('\n');
            }
        }
        return blocks;
    }
}
