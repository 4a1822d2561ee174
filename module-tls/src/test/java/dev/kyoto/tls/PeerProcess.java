package dev.kyoto.tls;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A program nobody here wrote (openssl, curl), run by a test as a TLS peer: its standard output
 * and error are read line by line on threads of their own, and the test waits for the line it
 * expects, or for the exit, with a bound that only detects hangs.
 *
 * <p>Concurrency: each {@link Lines} is written by its reader thread only (it appends lines and
 * at the end sets {@code ended}) and read by the test thread, under the {@code Lines}' monitor;
 * a waiting test thread is woken by {@code notifyAll} on every change. The test thread alone
 * writes to the process's standard input.
 */
final class PeerProcess implements AutoCloseable {
    /** How long a test waits for a line or an exit before calling it a hang. */
    static final Duration HANG = Duration.ofSeconds(20);
    private static final String INSTALLER = "scripts/lib/install-tls-tools.sh";

    private final String name;
    private final Process process;
    private final OutputStream stdin;
    final Lines out;
    final Lines err;

    private PeerProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.stdin = process.getOutputStream();
        this.out = new Lines(name + " stdout", process.getInputStream());
        this.err = new Lines(name + " stderr", process.getErrorStream());
    }

    /**
     * The absolute path of {@code command} on the PATH. A missing tool fails the test rather than
     * skipping it: a check that silently does not run proves nothing.
     */
    static String tool(String command, String debianPackage) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                Path candidate = Path.of(dir.isEmpty() ? "." : dir, command);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate.toAbsolutePath().toString();
                }
            }
        }
        return fail(command + " is not on the PATH (" + path + "): these tests run the real " + command
                + " against Kyoto's TLS. Install Debian's " + debianPackage + " package: `sh " + INSTALLER
                + "` from the checkout's root does it (apt-get, as root or with sudo)");
    }

    /**
     * Starts {@code command}, with no proxy and no CA bundle from the environment, so that what
     * the test passes on the command line is all the tool trusts and the connection goes straight
     * to the loopback address.
     */
    static PeerProcess start(String... command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        for (String v : List.of("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
                "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR", "NIX_SSL_CERT_FILE", "CURL_HOME")) {
            env.remove(v);
        }
        return new PeerProcess(Path.of(command[0]).getFileName() + " " + command[1], pb.start());
    }

    /** Writes {@code text} to the process's standard input and flushes it. */
    void send(String text) throws IOException {
        stdin.write(text.getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    /** Closes the process's standard input: the tool reads its end. */
    void closeInput() throws IOException {
        stdin.close();
    }

    /** Waits for the process to exit and for both its outputs to end; returns the exit code. */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(HANG.toMillis(), TimeUnit.MILLISECONDS)) {
            fail(name + " did not exit within " + HANG + "\n" + transcript());
        }
        out.awaitEnd();
        err.awaitEnd();
        return process.exitValue();
    }

    /** Everything the process printed so far, for failure messages. */
    String transcript() {
        return "--- " + name + " stdout:\n" + out.text() + "--- " + name + " stderr:\n" + err.text() + "---";
    }

    @Override
    public void close() throws InterruptedException {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // Already closed, or the process has gone: nothing is left to tell it.
        }
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        process.waitFor(HANG.toMillis(), TimeUnit.MILLISECONDS);
        out.awaitEnd();
        err.awaitEnd();
    }

    /** One output of the process, as lines, read on a thread of its own. */
    final class Lines {
        private final String what;
        private final Thread reader;
        private final List<String> lines = new ArrayList<>();
        private boolean ended;
        /** Lines before this one have been matched by {@link #await}: each wait looks further on. */
        private int next;

        private Lines(String what, InputStream in) {
            this.what = what;
            this.reader = Thread.ofPlatform().daemon().name(what).start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        synchronized (this) {
                            lines.add(line);
                            notifyAll();
                        }
                    }
                } catch (IOException e) {
                    // The stream was closed under us (close() after a failure): what was read is all there is.
                } finally {
                    synchronized (this) {
                        ended = true;
                        notifyAll();
                    }
                }
            });
        }

        /**
         * Waits for the next line, after those matched before, that {@code expected} accepts, and
         * returns it; fails, showing everything printed, if the output ends or hangs first.
         */
        synchronized String await(String description, Predicate<String> expected) throws InterruptedException {
            long deadline = System.nanoTime() + HANG.toNanos();
            while (true) {
                for (; next < lines.size(); next++) {
                    if (expected.test(lines.get(next))) {
                        return lines.get(next++);
                    }
                }
                if (ended) {
                    return fail(what + " ended without " + description + "\n" + transcript());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return fail(what + " did not print " + description + " within " + HANG + "\n" + transcript());
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }

        /** Waits for the line equal to {@code line}. */
        String await(String line) throws InterruptedException {
            return await('"' + line + '"', line::equals);
        }

        /** Whether any line printed so far contains {@code part}. */
        synchronized boolean contains(String part) {
            return lines.stream().anyMatch(l -> l.contains(part));
        }

        synchronized String text() {
            StringBuilder sb = new StringBuilder();
            lines.forEach(l -> sb.append(l).append('\n'));
            return sb.toString();
        }

        private void awaitEnd() throws InterruptedException {
            reader.join(HANG);
            if (reader.isAlive()) {
                fail(what + " did not end within " + HANG + " of the process's exit");
            }
        }
    }
}
