package dev.kyoto.cli;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Predicate;
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
    /** What {@link #awaitErrLine} returns once standard error has ended. */
    private static final String END = new String("end of standard error");

    private final Process process;
    private final BufferedReader out;
    /** Lines of standard error not yet taken by {@link #awaitErrLine}; null unless it is captured. */
    private final BlockingQueue<String> err;
    /** Every line of standard error so far, when it is captured. */
    private final List<String> errSeen = Collections.synchronizedList(new ArrayList<>());
    /** The thread copying standard error, when it is captured; it ends at the process's end of stream. */
    private final Thread errCopier;

    private KyotoProcess(Process process, boolean captureErr) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.err = captureErr ? new LinkedBlockingQueue<>() : null;
        this.errCopier = captureErr ? Thread.ofPlatform().daemon().name("kyoto-stderr").start(this::copyErr) : null;
    }

    /**
     * Starts {@code kyoto args…} on the module path; its standard error is copied to this JVM's
     * {@code System.err}, for diagnosis. Copied, not inherited: an inherited descriptor would bypass
     * surefire, which sends what a test prints to its report file, and write into the build's output.
     */
    static KyotoProcess start(String... args) throws IOException {
        return new KyotoProcess(new ProcessBuilder(javaCommand(args)).start(), true);
    }

    /**
     * Starts {@code kyoto args…} as {@link #start} does, but allowed at most {@code limit} open
     * descriptors ({@code ulimit -n}, set by bash, which then execs the JVM), and with its standard
     * error captured for {@link #awaitErrLine} (and still copied to this JVM's).
     */
    static KyotoProcess startWithDescriptorLimit(int limit, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("bash", "-c", "ulimit -n " + limit + " && exec \"$@\"", "bash"));
        command.addAll(javaCommand(args));
        return new KyotoProcess(new ProcessBuilder(command).start(), true);
    }

    /**
     * Starts {@code kyoto args…} as {@link #start} does, for a test that signals it: with every
     * signal's handling reset to the default first ({@code env --default-signal}, which then execs
     * the JVM, so {@link #handle()} is the JVM), because a process started with SIGINT ignored (a
     * background job of a non-interactive shell, {@code nohup}) passes that on, and the JVM leaves
     * an ignored signal ignored. Standard error is captured for {@link #awaitErrLine}.
     */
    static KyotoProcess startToSignal(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("env", "--default-signal"));
        command.addAll(javaCommand(args));
        return new KyotoProcess(new ProcessBuilder(command).start(), true);
    }

    /** Sends the signal named {@code signal} ({@code TERM}, {@code INT}) to the process, with {@code kill}. */
    void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(process.pid()))
                .redirectErrorStream(true).start();
        String said = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (kill.waitFor() != 0) {
            throw new IOException("kill -s " + signal + " " + process.pid() + " failed: " + said);
        }
    }

    private static List<String> javaCommand(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--module-path");
        command.add(modulePath());
        command.add("--module");
        command.add("dev.kyoto.cli/dev.kyoto.cli.Main");
        command.addAll(List.of(args));
        return command;
    }

    /**
     * Starts {@code launcher args…}, a launcher of a linked image, with its standard error written
     * to {@code stderr} so that a test can read what it said.
     */
    static KyotoProcess startLinked(Path launcher, Path stderr, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(launcher.toString());
        command.addAll(List.of(args));
        return new KyotoProcess(new ProcessBuilder(command).redirectError(stderr.toFile()).start(), false);
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

    /**
     * The next line of standard error that {@code wanted} accepts, skipping the others; blocks
     * until one is written, null if standard error ends first. Only for a process started with
     * {@link #startWithDescriptorLimit} or {@link #startToSignal}.
     */
    String awaitErrLine(Predicate<String> wanted) throws InterruptedException {
        for (;;) {
            String line = err.take();
            if (line == END) {
                err.add(END);
                return null;
            }
            if (wanted.test(line)) {
                return line;
            }
        }
    }

    /** Every line written to standard error so far, taken or not; for a process whose standard error is captured. */
    List<String> errLinesSoFar() {
        synchronized (errSeen) {
            return List.copyOf(errSeen);
        }
    }

    private void copyErr() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                System.err.println(line);
                errSeen.add(line);
                err.add(line);
            }
        } catch (IOException e) {
            System.err.println("standard error of " + process + " failed: " + e);
        } finally {
            err.add(END);
        }
    }

    /**
     * Waits for the process to exit on its own and returns its exit code; when its standard error
     * is captured, also for the last of it to be copied, so that {@link #errLinesSoFar} then holds
     * every line it wrote (the process can exit before the copier has read its last lines).
     */
    int waitFor() throws InterruptedException {
        int status = process.waitFor();
        if (errCopier != null) {
            errCopier.join();
        }
        return status;
    }

    /** Kills the process if it still runs, and waits until it is gone. */
    @Override
    public void close() throws IOException {
        process.destroy();
        process.onExit().join();
        out.close();
    }
}
