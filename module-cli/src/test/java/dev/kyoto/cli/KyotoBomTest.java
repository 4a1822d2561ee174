package dev.kyoto.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * README.md's "Use Kyoto in your project" against the build: its Maven block is the one
 * {@code examples/modular-echo/pom.xml} uses (which CI builds against the installed artifacts and
 * runs), its Gradle block names the same coordinates, and {@code bom/pom.xml} pins every library
 * module at the build's version.
 */
class KyotoBomTest {
    private static final Path ROOT = Path.of("..");
    private static final Pattern COMMENT = Pattern.compile("<!--.*?-->", Pattern.DOTALL);
    private static final Pattern DEPENDENCY = Pattern.compile("<dependency>.*?</dependency>", Pattern.DOTALL);
    private static final Pattern KYOTO_AT_BOM_VERSION = Pattern.compile("<dependency><groupId>dev\\.kyoto</groupId>"
            + "<artifactId>([^<]+)</artifactId><version>\\$\\{project\\.version}</version></dependency>");
    private static final Pattern FIRST_VERSION = Pattern.compile(
            "<artifactId>kyoto-parent</artifactId>\\s*<version>([^<]+)</version>");

    @Test
    void theReadmesMavenBlockIsTheOneTheExampleBuilds() throws IOException {
        String block = normalized(onlyBlock("xml"));
        String pom = normalized(Files.readString(ROOT.resolve("examples/modular-echo/pom.xml")));
        for (Matcher m = DEPENDENCY.matcher(block); m.find(); ) {
            assertTrue(pom.contains(m.group()),
                    "examples/modular-echo/pom.xml lacks the README's " + m.group());
        }
        assertTrue(pom.contains(block),
                "examples/modular-echo/pom.xml should hold the README's Maven block as it stands:\n" + block);
        assertTrue(block.contains("<artifactId>kyoto-bom</artifactId><version>" + version() + "</version>"
                + "<type>pom</type><scope>import</scope>"), "the README imports kyoto-bom " + version() + ":\n" + block);
    }

    @Test
    void theReadmesGradleBlockNamesTheSameCoordinates() throws IOException {
        String gradle = onlyBlock("kotlin");
        String maven = normalized(onlyBlock("xml"));
        assertTrue(gradle.contains("implementation(platform(\"dev.kyoto:kyoto-bom:" + version() + "\"))"), gradle);
        assertTrue(gradle.contains("implementation(\"dev.kyoto:kyoto-net\")"), gradle);
        Matcher slf4j = Pattern.compile("<artifactId>slf4j-simple</artifactId><version>([^<]+)</version>").matcher(maven);
        assertTrue(slf4j.find(), maven);
        assertTrue(gradle.contains("runtimeOnly(\"org.slf4j:slf4j-simple:" + slf4j.group(1) + "\")"), gradle);
        assertTrue(gradle.contains("mavenLocal()"), gradle);
    }

    @Test
    void theBomPinsEveryLibraryModuleAtTheBuildsVersion() throws IOException {
        String bom = normalized(Files.readString(ROOT.resolve("bom/pom.xml")));
        assertTrue(bom.contains("<groupId>dev.kyoto</groupId><artifactId>kyoto-bom</artifactId><version>" + version()
                + "</version><packaging>pom</packaging>"), "bom/pom.xml is dev.kyoto:kyoto-bom:" + version() + ":\n" + bom);
        assertFalse(bom.contains("<parent>"), "kyoto-bom must not inherit kyoto-parent's pins");
        List<String> managed = new ArrayList<>();
        for (Matcher m = DEPENDENCY.matcher(bom); m.find(); ) {
            Matcher id = KYOTO_AT_BOM_VERSION.matcher(m.group());
            if (!id.matches()) {
                fail("kyoto-bom manages something other than a Kyoto module at its own version: " + m.group());
            }
            managed.add(id.group(1));
        }
        assertEquals(List.of("kyoto-runtime", "kyoto-io", "kyoto-io-uring", "kyoto-net", "kyoto-codec", "kyoto-tls", "kyoto-test"), managed);
        for (String module : List.of("runtime", "io", "io-uring", "net", "codec", "tls", "test")) {
            String pom = Files.readString(ROOT.resolve("module-" + module + "/pom.xml"));
            assertTrue(pom.contains("<artifactId>kyoto-" + module + "</artifactId>"), "module-" + module + " is kyoto-" + module);
        }
        assertTrue(Files.readString(ROOT.resolve("pom.xml")).contains("<module>bom</module>"),
                "the root pom builds (and ./mvnw install installs) the BOM");
    }

    /** The build's version, from a module's parent reference. */
    private static String version() throws IOException {
        Matcher m = FIRST_VERSION.matcher(Files.readString(ROOT.resolve("module-net/pom.xml")));
        assertTrue(m.find(), "module-net/pom.xml names its parent kyoto-parent");
        return m.group(1);
    }

    /** XML without comments and without the whitespace between tags. */
    private static String normalized(String xml) {
        return COMMENT.matcher(xml).replaceAll("").replaceAll(">\\s+<", "><").strip();
    }

    /** The one fenced block of {@code language} in README.md's "Use Kyoto in your project". */
    private static String onlyBlock(String language) throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int start = readme.indexOf("\n## Use Kyoto in your project\n");
        assertTrue(start >= 0, "README.md has a section \"Use Kyoto in your project\"");
        int end = readme.indexOf("\n## ", start + 1);
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        Matcher m = Pattern.compile("\n```" + language + "\n(.*?)\n```\n", Pattern.DOTALL).matcher(section);
        assertTrue(m.find(), "the section has a ```" + language + " block");
        String block = m.group(1);
        assertFalse(m.find(), "the section has one ```" + language + " block");
        return block;
    }
}
