package dev.kyoto.cli;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code kyoto} run the way users run it, in a separate process: either a JVM that launches module
 * {@code dev.kyoto.cli} from the module path, so that the module descriptor (and picocli's
 * reflective access through it) is exercised too, or the launcher of the linked image.
 *
 * <p>The module path is this test JVM's own module path and class path minus the test classes:
 * the build's classes directory and the dependency jars. Surefire may run the tests from either.
 */
final class KyotoProcess implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;

    private KyotoProcess(Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Starts {@code kyoto args…} on the module path; its standard error goes to this JVM's, for diagnosis. */
    static KyotoProcess start(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--module-path");
        command.add(modulePath());
        command.add("--module");
        command.add("dev.kyoto.cli/dev.kyoto.cli.Main");
        command.addAll(List.of(args));
        return new KyotoProcess(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start());
    }

    /**
     * Starts {@code launcher args…}, a launcher of a linked image, with its standard error written
     * to {@code stderr} so that a test can read what it said.
     */
    static KyotoProcess startLinked(Path launcher, Path stderr, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(launcher.toString());
        command.addAll(List.of(args));
        return new KyotoProcess(new ProcessBuilder(command).redirectError(stderr.toFile()).start());
    }

    private static String modulePath() {
        Set<String> entries = new LinkedHashSet<>();
        Stream.of(System.getProperty("jdk.module.path"), System.getProperty("java.class.path"))
                .filter(Objects::nonNull)
                .flatMap(p -> Stream.of(p.split(File.pathSeparator)))
                .filter(e -> !e.isEmpty() && !Path.of(e).endsWith("test-classes"))
                .forEach(entries::add);
        return String.join(File.pathSeparator, entries);
    }

    /** The process that was started: the JVM itself, unless a launcher left it running as a child. */
    ProcessHandle handle() {
        return process.toHandle();
    }

    /** The next line of standard output; blocks until it is written, null at end of output. */
    String readLine() throws IOException {
        return out.readLine();
    }

    /** Waits for the process to exit on its own and returns its exit code. */
    int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    /** Kills the process if it still runs, and waits until it is gone. */
    @Override
    public void close() throws IOException {
        process.destroy();
        process.onExit().join();
        out.close();
    }
}
