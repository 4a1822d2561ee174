package dev.kyoto.io.uring.fallback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How an application meets the driver: the modules on its module path, a program on its class
 * path, each case in a JVM of its own because native access is fixed when a JVM starts.
 */
@Timeout(120)
class FallbackTest {
    private static final String DEBUG_LINE = "I/O driver io_uring is not supported here, so the next is tried: "
            + "native access is not enabled for module dev.kyoto.io.uring: run java with "
            + "--enable-native-access=dev.kyoto.io.uring";

    @Test
    void linkingTheModuleWithNativeAccessIsTheOnlySwitch() throws Exception {
        Run run = run("--enable-native-access=dev.kyoto.io.uring");
        assertEquals("io_uring", run.out, run.err);
        assertFalse(run.err.contains("not supported here"), run.err);
    }

    /** Without native access the selector runs, one DEBUG line says why and names the flag, and the JDK prints no warning. */
    @Test
    void withoutNativeAccessTheSelectorRunsAndOneDebugLineSaysWhy() throws Exception {
        Run run = run();
        assertEquals("nio", run.out, run.err);
        assertEquals(1, run.err.lines().filter(l -> l.contains(DEBUG_LINE)).count(), run.err);
        assertTrue(run.err.lines().anyMatch(l -> l.contains(" DEBUG ") && l.contains(DEBUG_LINE)), run.err);
        assertFalse(run.err.contains("restricted method"), "no downcall was made without native access:\n" + run.err);
    }

    @Test
    void thePropertyForcesTheSelector() throws Exception {
        Run run = run("--enable-native-access=dev.kyoto.io.uring", "-Dkyoto.io.driver=nio");
        assertEquals("nio", run.out, run.err);
    }

    private record Run(String out, String err) {
    }

    private static Run run(String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(options));
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=debug");
        command.add("--module-path");
        command.add(System.getProperty("jdk.module.path"));
        command.add("--add-modules");
        command.add("dev.kyoto.io.uring,org.slf4j.simple");
        command.add("-cp");
        command.add(System.getProperty("kyoto.testClasses"));
        command.add(WhichDriver.class.getName());
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String errText = new String(err, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), errText);
        return new Run(new String(out, StandardCharsets.UTF_8).strip(), errText);
    }
}
