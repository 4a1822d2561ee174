package dev.kyoto.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README.md's echo server taken as a new user takes it: the program and its module descriptor
 * copied from the README into the files it names, compiled and started with the README's own two
 * commands, run from a directory whose {@code module-cli/target/lib} is this build's. Then it
 * must echo, and serve 10,000 connections one after another with its process's open descriptors
 * back where they were: no socket leaks, whatever the client does.
 *
 * <p>Run in the integration-test phase, after the package phase filled {@code target/lib}
 * ({@code kyoto.lib} names it).
 */
class ReadmeProgramTest {
    private static final Path README = Path.of("..", "README.md");
    private static final int CYCLES = 10_000;
    private static final Pattern LISTENING = Pattern.compile("listening on /127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path user;

    record Block(String language, String text) {
    }

    @Test
    void theReadmesEchoServerCompilesRunsAndLeaksNothing() throws Exception {
        String readme = Files.readString(README);
        List<Block> blocks = fencedBlocks(readme);
        String program = only(blocks, "java", "package echo;");
        String descriptor = only(blocks, "java", "module echo");
        String[] commands = only(blocks, "sh", "javac --module-path").strip().split("\n");
        assertEquals(2, commands.length, "the README gives a javac and a java command");
        assertTrue(readme.contains("`echo/src/echo/Echo.java`") && readme.contains("`echo/src/module-info.java`"),
                "the README names the files the program and its descriptor go in");

        Path lib = Path.of(System.getProperty("kyoto.lib", "target/lib")).toAbsolutePath();
        assertTrue(Files.isDirectory(lib), "no " + lib + ": run this test through the build (./mvnw verify)");
        Files.createDirectories(user.resolve("module-cli/target"));
        Files.createSymbolicLink(user.resolve("module-cli/target/lib"), lib);
        Files.createDirectories(user.resolve("echo/src/echo"));
        Files.writeString(user.resolve("echo/src/echo/Echo.java"), program);
        Files.writeString(user.resolve("echo/src/module-info.java"), descriptor);

        assertTimeoutPreemptively(Duration.ofSeconds(180), () -> {
            Process javac = shell(commands[0]).redirectErrorStream(true).start();
            String javacOutput = new String(javac.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, javac.waitFor(), "the README's javac command failed:\n" + javacOutput);

            // The README's java command, given a free port instead of its default 7000.
            Process server = shell("exec " + commands[1] + " 127.0.0.1:0").redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
                String line = out.readLine();
                assertNotNull(line, "the program ended without a word");
                Matcher m = LISTENING.matcher(line);
                assertTrue(m.matches(), "the program's first line: " + line);
                int port = Integer.parseInt(m.group(1));

                byte[] hello = "hello, kyoto".getBytes(StandardCharsets.UTF_8);
                assertArrayEquals(hello, roundTrip(port, hello), "the README's server echoes");
                long baseline = awaitSteadyDescriptors(server.pid(), -1);
                for (int i = 0; i < CYCLES; i++) {
                    roundTrip(port, new byte[] {(byte) i});
                }
                assertEquals(baseline, awaitSteadyDescriptors(server.pid(), baseline),
                        "the server's open descriptors after " + CYCLES + " connections came and went");
            } finally {
                server.destroy();
                assertTrue(server.waitFor(30, TimeUnit.SECONDS), "the program did not stop on SIGTERM");
            }
        });
    }

    /**
     * Connects, sends {@code bytes}, reads as many back, then ends its side and reads on until the
     * server ends its own: the server's task saw the end of stream and closed its socket.
     */
    private static byte[] roundTrip(int port, byte[] bytes) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(bytes);
            InputStream in = s.getInputStream();
            byte[] echoed = in.readNBytes(bytes.length);
            s.shutdownOutput();
            assertEquals(-1, in.read(), "the server closes a connection once its client has ended its side");
            return echoed;
        }
    }

    /**
     * The process's open descriptors once the count stops changing. A socket closed while
     * registered with a selector gives its descriptor back at the selector's next turn, a moment
     * after its peer saw it close. With {@code expected} not negative, returns as soon as the count
     * is that; otherwise once it has read the same three times in a row.
     */
    private static long awaitSteadyDescriptors(long pid, long expected) throws IOException, InterruptedException {
        Path fd = Path.of("/proc", Long.toString(pid), "fd");
        long last = -2;
        int same = 0;
        for (;;) {
            long now;
            try (var list = Files.list(fd)) {
                now = list.count();
            }
            if (now == expected) {
                return now;
            }
            same = now == last ? same + 1 : 0;
            if (expected < 0 && same == 3) {
                return now;
            }
            last = now;
            // Nothing to wait on in another process: look again shortly, bounded by the test's timeout.
            Thread.sleep(20);
        }
    }

    /** {@code command} run by bash in the user's directory, with this JDK's tools first on the path. */
    private ProcessBuilder shell(String command) {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", command).directory(user.toFile());
        String jdk = Path.of(System.getProperty("java.home"), "bin").toString();
        pb.environment().put("PATH", jdk + ":" + System.getenv("PATH"));
        return pb;
    }

    /** The fenced code blocks of a Markdown text, with their language. */
    private static List<Block> fencedBlocks(String markdown) {
        List<Block> blocks = new ArrayList<>();
        String language = null;
        StringBuilder text = null;
        for (String line : markdown.split("\n", -1)) {
            if (text == null && line.startsWith("```")) {
                language = line.substring(3).strip();
                text = new StringBuilder();
            } else if (text != null && line.equals("```")) {
                blocks.add(new Block(language, text.toString()));
                text = null;
            } else if (text != null) {
                text.append(line).append('\n');
            }
        }
        return blocks;
    }

    /** The one block of {@code language} that contains {@code marker}. */
    private static String only(List<Block> blocks, String language, String marker) {
        List<String> found = blocks.stream().filter(b -> b.language().equals(language) && b.text().contains(marker))
                .map(Block::text).toList();
        assertEquals(1, found.size(), "README.md should have exactly one ```" + language + " block with \"" + marker + "\"");
        return found.get(0);
    }
}
