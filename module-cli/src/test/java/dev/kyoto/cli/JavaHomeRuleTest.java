package dev.kyoto.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * scripts/lib/java-home.sh, the rule every entry point uses to find its JDK, run by {@code sh}
 * (as ./mvnw runs it, under {@code set -euf}) and by {@code bash} (as the scripts do), against
 * stand-in JDKs: each a directory with {@code release}, {@code bin/java} (which prints the two
 * properties the helper asks for) and {@code bin/javac}. The PATH holds only those and {@code sed},
 * so the machine's own java never answers.
 */
class JavaHomeRuleTest {
    private static final Path HELPER = Path.of("..", "scripts", "lib", "java-home.sh").toAbsolutePath().normalize();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    record Run(int exitCode, String out, String err) {
    }

    @ParameterizedTest
    @ValueSource(strings = {"sh", "bash"})
    void javaHome25IsTakenAsItIs(String shell) throws Exception {
        Path jdk25 = jdk("home-25", 25, true);
        jdk("search/jdk-26", 26, true);
        Run run = source(shell, Map.of("JAVA_HOME", jdk25.toString()), jdk("path-17", 17, true));
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(jdk25 + "\n" + jdk25.resolve("bin") + "\n", run.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sh", "bash"})
    void anOlderJavaHomeFallsToJavaOnThePath(String shell) throws Exception {
        Path jdk25 = jdk("path-25", 25, true);
        jdk("search/jdk-26", 26, true);
        Run run = source(shell, Map.of("JAVA_HOME", jdk("home-17", 17, true).toString()), jdk25);
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(jdk25 + "\n" + jdk25.resolve("bin") + "\n", run.out(), "java on the PATH is 25: it is taken");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sh", "bash"})
    void otherwiseTheNewestJdk25OrLaterInTheUsualPlaces(String shell) throws Exception {
        jdk("search/jdk-21", 21, true);
        jdk("search/jdk-25", 25, true);
        Path jdk27 = jdk("search/jdk-27", 27, true);
        jdk("search/jre-28", 28, false);
        jdk("search/jdk-26", 26, true);
        Run run = source(shell, Map.of("JAVA_HOME", jdk("home-17", 17, true).toString()), jdk("path-17", 17, true));
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(jdk27 + "\n" + jdk27.resolve("bin") + "\n", run.out(), "27 is the newest JDK; 28 has no javac");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sh", "bash"})
    void withNoJdk25ItSaysInOneLineWhatToInstall(String shell) throws Exception {
        jdk("search/jdk-21", 21, true);
        Path home17 = jdk("home-17", 17, true);
        Run run = source(shell, Map.of("JAVA_HOME", home17.toString()), jdk("path-11", 11, true));
        assertEquals(1, run.exitCode(), run.out());
        assertEquals("", run.out());
        assertEquals("kyoto: needs JDK 25 or newer (JAVA_HOME=" + home17 + " is Java 17; java on the PATH is Java 11);"
                + " install one (e.g. Temurin 25 from https://adoptium.net) and set JAVA_HOME to it\n", run.err());
    }

    @Test
    void theWrapperRunsMavenOnTheJdkTheRuleFinds() throws Exception {
        // The JDK running this test is 25 or newer, and the only place searched; a stand-in 17
        // comes first on the PATH.
        Path jdk17 = jdk("path-17", 17, true);
        ProcessBuilder pb = new ProcessBuilder(Path.of("..", "mvnw").toAbsolutePath().normalize().toString(), "-v");
        pb.environment().remove("JAVA_HOME");
        pb.environment().remove("MAVEN_SKIP_KYOTO_JAVA");
        pb.environment().put("PATH", jdk17.resolve("bin") + ":/usr/bin:/bin");
        pb.environment().put("KYOTO_JDK_SEARCH", System.getProperty("java.home"));
        pb.redirectErrorStream(true);
        String out = assertTimeoutPreemptively(TIMEOUT, () -> {
            Process p = pb.start();
            String text = read(p.getInputStream());
            assertEquals(0, p.waitFor(), text);
            return text;
        });
        // The stand-in 17 cannot run Maven at all: that it ran, on this JDK, is the rule at work.
        assertTrue(out.contains("Java version: " + System.getProperty("java.version") + ","), out);
    }

    /** Writes a stand-in JDK of feature version {@code feature} at {@code name}; a JRE without javac if not {@code jdk}. */
    private Path jdk(String name, int feature, boolean jdk) throws IOException {
        Path home = dir.resolve(name);
        Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + feature + ".0.1\"\n");
        executable(home.resolve("bin/java"), "#!/bin/sh\n"
                + "echo '    java.home = " + home + "' >&2\n"
                + "echo '    java.specification.version = " + feature + "' >&2\n");
        if (jdk) {
            executable(home.resolve("bin/javac"), "#!/bin/sh\n");
        }
        return home;
    }

    private static void executable(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Sources the helper in {@code shell} with {@code pathJdk}'s bin and sed alone on the PATH; prints JAVA_HOME and PATH's first entry. */
    private Run source(String shell, Map<String, String> env, Path pathJdk) throws Exception {
        Path tools = dir.resolve("tools");
        Files.createDirectories(tools);
        if (!Files.exists(tools.resolve("sed"))) {
            // A script, not a link: the temporary directory holds no link to outside itself.
            executable(tools.resolve("sed"), "#!/bin/sh\nPATH=/usr/bin:/bin exec sed \"$@\"\n");
        }
        List<String> command = new ArrayList<>(List.of(shell));
        if (shell.equals("sh")) {
            command.add("-euf");  // as ./mvnw runs
        } else {
            command.addAll(List.of("-euo", "pipefail"));  // as the scripts run
        }
        command.addAll(List.of("-c", ". \"$0\"; echo \"$JAVA_HOME\"; echo \"${PATH%%:*}\"", HELPER.toString()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.environment().put("PATH", pathJdk.resolve("bin") + ":" + tools);
        pb.environment().put("HOME", dir.toString());
        pb.environment().put("KYOTO_JDK_SEARCH", dir.resolve("search") + "/*");
        return assertTimeoutPreemptively(TIMEOUT, () -> {
            Process p = pb.start();
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            String out = read(p.getInputStream());
            return new Run(p.waitFor(), out, err.join());
        });
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
