package dev.kyoto.cli;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A documented program started by a test, its standard output and error merged and read, line by
 * line, by a thread of its own, so that a test can wait for a line without blocking on the pipe.
 * Closing it kills the process if it is still running.
 *
 * <p>{@code lines} is filled by the reader thread and drained by the test's thread;
 * {@code seen} is the test thread's own record of every line taken, for failure messages.
 */
final class RunningProgram implements AutoCloseable {
    /** {@code listening on 127.0.0.1:N}, with or without the JDK's leading slash. */
    private static final Pattern LISTENING = Pattern.compile("^listening on /?127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern RUNTIME_LIFECYCLE =
            Pattern.compile("\\[[^\\]]*\\] INFO dev\\.kyoto\\.runtime\\.KyotoRuntime - runtime \\S+ (started: |stopped in ).*");
    private static final String END = new String("end of output");
    private static final int WAIT_SECONDS = 60;

    private final String name;
    private final Process process;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    /** The runtime's INFO lines as it starts and stops, which every program writes; kept apart from its own. */
    private final List<String> runtimeLog = new CopyOnWriteArrayList<>();

    RunningProgram(String name, ProcessBuilder builder) throws IOException {
        this.name = name;
        this.process = builder.redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null;) {
                    (RUNTIME_LIFECYCLE.matcher(line).matches() ? runtimeLog : lines).add(line);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                lines.add(END);
            }
        }, name + " output");
        reader.setDaemon(true);
        reader.start();
    }

    long pid() {
        return process.pid();
    }

    /** Waits for the line that says where the program listens, and gives its port. */
    int awaitListeningPort() throws InterruptedException {
        Matcher m = LISTENING.matcher(awaitLine(LISTENING));
        assertTrue(m.find());
        return Integer.parseInt(m.group(1));
    }

    /** The next line that {@code pattern} finds something in, skipping others (a log line, say). */
    String awaitLine(Pattern pattern) throws InterruptedException {
        for (;;) {
            String line = lines.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(line, name + ": no line matching " + pattern + " within " + WAIT_SECONDS + " s; its output: " + seen);
            if (line == END) {
                fail(name + " ended its output without a line matching " + pattern + "; its output: " + seen);
            }
            seen.add(line);
            if (pattern.matcher(line).find()) {
                return line;
            }
        }
    }

    /** Waits for the process to end and gives its exit code; the rest of its output is in {@link #output()}. */
    int awaitExit() throws InterruptedException {
        assertTrue(process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), name + " did not end within " + WAIT_SECONDS + " s; its output: " + seen);
        for (String line; (line = lines.poll(WAIT_SECONDS, TimeUnit.SECONDS)) != END;) {
            assertNotNull(line, name + ": its output did not end");
            seen.add(line);
        }
        return process.exitValue();
    }

    /** Every line read so far, but the runtime's start and stop lines. */
    List<String> output() {
        return List.copyOf(seen);
    }

    /** The runtime's start and stop lines read so far. */
    List<String> runtimeLog() {
        return List.copyOf(runtimeLog);
    }

    /**
     * Sends SIGTERM, as {@code kill} does. Through the process's handle: {@code Process.destroy()}
     * also closes the pipes, and the program's last lines would be lost.
     */
    void terminate() {
        process.toHandle().destroy();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }
}
