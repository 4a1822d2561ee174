package dev.kyoto.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jlink image {@code target/kyoto}, run through its own launcher: it must find the I/O driver
 * through {@code ServiceLoader} with no module path at all, bind the SLF4J provider, serve TLS
 * with {@code java.base}'s cryptography alone, and hold no module it does not need. Run by surefire in the integration-test phase, after the package phase
 * linked the image; {@code kyoto.image} names it.
 */
class LinkedImageTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static Path image;

    @TempDir
    Path scratch;

    @BeforeAll
    static void findImage() {
        String property = System.getProperty("kyoto.image");
        assertTrue(property != null, "kyoto.image is not set: run this test through the build (./mvnw verify)");
        image = Path.of(property);
        assertTrue(Files.isExecutable(image.resolve("bin/kyoto")), "no launcher " + image.resolve("bin/kyoto"));
    }

    @Test
    void theLinkedEchoServerAnswersALoopbackClient() throws Exception {
        Path stderr = scratch.resolve("stderr");
        assertTimeoutPreemptively(TIMEOUT, () -> {
            try (KyotoProcess server = KyotoProcess.startLinked(image.resolve("bin/kyoto"), stderr,
                    "echo-server", "--bind", "127.0.0.1:0")) {
                EchoCheck.twoConnections(server);
                // The launcher execs: the process started is the JVM, which a kill of it reaches.
                assertEquals(image.resolve("bin/java").toString(), server.handle().info().command().orElseThrow());
                assertEquals(0, server.handle().children().count());
                assertTrue(List.of(server.handle().info().arguments().orElseThrow())
                                .contains("-XX:AOTCache=" + image.resolve("lib/kyoto.aot").toRealPath()),
                        "the JVM's arguments: " + server.handle().info().arguments().map(List::of).orElseThrow());
                // The graceful shutdown needs jdk.unsupported (sun.misc.Signal) in the image.
                server.signal("TERM");
                assertEquals(0, server.waitFor(), "exit status after SIGTERM");
            }
        });
        // SLF4J warns on standard error when it finds no provider: org.slf4j.simple must be linked and
        // bound. The server's own lines are about its shutdown.
        List<String> lines = Files.readAllLines(stderr);
        assertTrue(lines.stream().allMatch(line -> line.startsWith("kyoto echo-server: ")), String.join("\n", lines));
        assertTrue(lines.getFirst().startsWith("kyoto echo-server: shutting down: "), String.join("\n", lines));
    }

    @Test
    void theLinkedEchoServerServesTlsWithJavaBaseAlone() throws Exception {
        TestPki pki = TestPki.get();
        Path stderr = scratch.resolve("stderr");
        assertTimeoutPreemptively(TIMEOUT, () -> {
            try (KyotoProcess server = KyotoProcess.startLinked(image.resolve("bin/kyoto"), stderr, "echo-server", "--bind", "127.0.0.1:0",
                    "--tls-cert", pki.serverChain.toString(), "--tls-key", pki.serverKey.toString())) {
                String first = server.readLine();
                assertTrue(first != null && first.matches("listening on 127\\.0\\.0\\.1:\\d+ \\(TLS\\)"), "first line: " + first);
                int port = Integer.parseInt(first.substring(first.lastIndexOf(':') + 1, first.indexOf(' ', first.lastIndexOf(':'))));
                try (SSLSocket s = (SSLSocket) pki.clientContext().getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port)) {
                    s.setSoTimeout(30_000);
                    byte[] hello = "hello from outside the image".getBytes(StandardCharsets.US_ASCII);
                    s.getOutputStream().write(hello);
                    assertArrayEquals(hello, s.getInputStream().readNBytes(hello.length));
                    s.shutdownOutput();
                    assertEquals(-1, s.getInputStream().read());
                }
                server.signal("TERM");
                assertEquals(0, server.waitFor(), "exit status after SIGTERM");
            }
        });
        List<String> lines = Files.readAllLines(stderr);
        assertTrue(lines.stream().noneMatch(line -> line.contains("failed")), String.join("\n", lines));
    }

    /**
     * The launcher runs the JVM with the cache the build trained, and the JVM can use it: with
     * {@code -XX:AOTMode=on} it refuses to start when the cache is missing, stale or made for other
     * options, and the tool's own classes come from the cache, not from {@code lib/modules}.
     */
    @Test
    void theLauncherStartsFromTheAheadOfTimeCache() throws Exception {
        Path classes = scratch.resolve("classes.log");
        ProcessBuilder pb = new ProcessBuilder(image.resolve("bin/kyoto").toString(), "--version")
                .redirectErrorStream(true);
        pb.environment().put("JDK_JAVA_OPTIONS", "-XX:AOTMode=on -Xlog:class+load=info:file=" + classes);
        Process version = pb.start();
        String output = assertTimeoutPreemptively(TIMEOUT, () -> new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(0, assertTimeoutPreemptively(TIMEOUT, () -> version.waitFor()), output);
        assertTrue(output.contains("kyoto "), output);
        List<String> loaded = Files.readAllLines(classes);
        for (String tool : List.of("dev.kyoto.cli.Main", "dev.kyoto.cli.CommandLines")) {
            assertTrue(loaded.stream().anyMatch(line -> line.contains(" " + tool + " source: shared objects file")),
                    tool + " is not loaded from the cache:\n" + loaded.stream().filter(line -> line.contains(tool)).toList());
        }
    }

    /**
     * The image links the io_uring driver and its launcher grants it native access, so the tool
     * runs on it (this build's machines have io_uring); -Dkyoto.io.driver=nio chooses the
     * selector. The runtime's INFO start line names the driver.
     */
    @Test
    void theImageRunsOnIoUringAndThePropertyChoosesTheSelector() throws Exception {
        assertEquals("io_uring", driverOfALinkedRun(""));
        assertEquals("nio", driverOfALinkedRun("-Dkyoto.io.driver=nio"));
    }

    private String driverOfALinkedRun(String options) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(image.resolve("bin/kyoto").toString(), "bench", "--connections=1",
                "--duration=200ms", "--warmup=0s").redirectErrorStream(true);
        pb.environment().put("JDK_JAVA_OPTIONS", "-Dorg.slf4j.simpleLogger.log.dev.kyoto.runtime.KyotoRuntime=info " + options);
        Process bench = pb.start();
        String output = assertTimeoutPreemptively(TIMEOUT, () -> new String(bench.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(0, assertTimeoutPreemptively(TIMEOUT, () -> bench.waitFor()), output);
        assertFalse(output.contains("restricted method"), "native access is granted:\n" + output);
        Matcher started = Pattern.compile("started: .*, I/O driver (\\S+),").matcher(output);
        assertTrue(started.find(), output);
        return started.group(1);
    }

    @Test
    void theLinkedBenchRunsOnItsOwnServer() throws Exception {
        Path stderr = scratch.resolve("stderr");
        List<String> out = new ArrayList<>();
        int exitCode = assertTimeoutPreemptively(TIMEOUT, () -> {
            try (KyotoProcess bench = KyotoProcess.startLinked(image.resolve("bin/kyoto"), stderr,
                    "bench", "--duration=500ms", "--warmup=0s", "--connections=2")) {
                for (String line; (line = bench.readLine()) != null; ) {
                    out.add(line);
                }
                return bench.waitFor();
            }
        });
        assertEquals(0, exitCode, Files.readString(stderr));
        assertTrue(out.size() >= 3 && out.get(1).contains("round trips/s"), String.join("\n", out));
    }

    @Test
    void theImageHoldsJavaBaseJdkUnsupportedKyotoSlf4jAndPicocliOnly() throws Exception {
        Path stderr = scratch.resolve("stderr");
        Set<String> modules = new TreeSet<>();
        assertTimeoutPreemptively(TIMEOUT, () -> {
            try (KyotoProcess java = KyotoProcess.startLinked(image.resolve("bin/java"), stderr, "--list-modules")) {
                for (String line; (line = java.readLine()) != null; ) {
                    modules.add(line.substring(0, line.indexOf('@')));
                }
                assertEquals(0, java.waitFor());
            }
        });
        // jdk.unsupported for sun.misc.Signal: the echo server's second SIGTERM or SIGINT (StopSignals).
        // dev.kyoto.tls for the commands' TLS options; the JDK's TLS is in java.base.
        // dev.kyoto.io.uring for the io_uring driver, which the tool runs on where the kernel allows.
        assertEquals(new TreeSet<>(List.of("java.base", "jdk.unsupported", "dev.kyoto.runtime", "dev.kyoto.io", "dev.kyoto.io.uring", "dev.kyoto.net",
                "dev.kyoto.tls", "dev.kyoto.cli", "org.slf4j", "org.slf4j.simple", "info.picocli")), modules);
    }
}
