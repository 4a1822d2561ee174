package dev.kyoto.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.cli.DocumentedSources.Source;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * README.md's and docs/guide.md's programs, taken as a new user takes them: every {@code java}
 * block copied into the file the text names, compiled with the document's own {@code javac}
 * commands and started with its own {@code java} lines (given free ports instead of the
 * documented ones), in a directory whose {@code module-cli/target/lib} is this build's. Each
 * program must then do what its text says. Test classes ({@code src/test/java/...}) are left to
 * module-test, which runs a copy of them and checks that the documents show it.
 *
 * <p>Run in the integration-test phase, after the package phase filled {@code target/lib}
 * ({@code kyoto.lib} names it).
 */
@Timeout(300)
class DocumentedProgramsTest {
    private static final Path ROOT = Path.of("..");
    private static final int ECHO_CYCLES = 10_000;
    private static final int PROXY_CYCLES = 1_000;

    @TempDir
    static Path users;

    private static final Map<String, DocumentedSources> DOCUMENTS = new HashMap<>();
    private static final Map<String, Path> USER_DIRS = new HashMap<>();

    /** Writes each document's files in a user directory of its own and runs its javac commands there. */
    @BeforeAll
    static void compileEveryDocumentsPrograms() throws Exception {
        Path lib = Path.of(System.getProperty("kyoto.lib", "target/lib")).toAbsolutePath();
        assertTrue(Files.isDirectory(lib), "no " + lib + ": run this test through the build (./mvnw verify)");
        for (String document : List.of("README.md", "docs/guide.md")) {
            DocumentedSources doc = DocumentedSources.parse(document, Files.readString(ROOT.resolve(document)));
            Path user = Files.createDirectories(users.resolve(document.replace('/', '-')));
            Files.createDirectories(user.resolve("module-cli/target"));
            Files.createSymbolicLink(user.resolve("module-cli/target/lib"), lib);
            Map<String, String> written = new HashMap<>();
            for (Source s : doc.sources()) {
                if (s.isTest()) {
                    continue;
                }
                // A later block for the same file is the file as it stands after that step.
                written.put(s.path(), s.text());
                Files.createDirectories(user.resolve(s.path()).getParent());
                Files.writeString(user.resolve(s.path()), s.text());
            }
            List<String> javacs = doc.commandsStartingWith("javac ");
            for (String javac : javacs) {
                run(user, javac, document + "'s command");
            }
            for (String path : written.keySet()) {
                String top = path.substring(0, path.indexOf('/'));
                assertTrue(javacs.stream().anyMatch(c -> c.contains("find " + top + "/src")) || orphanCompiles(user, top, document),
                        document + ": " + path + " is compiled by no javac command the document gives");
            }
            DOCUMENTS.put(document, doc);
            USER_DIRS.put(document, user);
        }
    }

    /** JUnit would warn about a link leading out of its temporary directory when it cleans up. */
    @AfterAll
    static void unlinkTheBuildsLib() throws IOException {
        for (Path user : USER_DIRS.values()) {
            Files.deleteIfExists(user.resolve("module-cli/target/lib"));
        }
    }

    /**
     * A file the document shows but whose directory no documented javac compiles (a module
     * descriptor shown on its own, say): compiled as the documents compile theirs, so that it is
     * at least known to be valid.
     */
    private static boolean orphanCompiles(Path user, String top, String document) throws Exception {
        run(user, "javac --module-path module-cli/target/lib -d " + top + "/classes $(find " + top + "/src -name '*.java')",
                document + "'s " + top + "/src, compiled as its other programs are");
        return true;
    }

    // README.md

    @Test
    void theReadmesEchoServerEchoesAndLeaksNothing() throws Exception {
        try (RunningProgram echo = start("README.md", "echo/echo.Echo", "127.0.0.1:0")) {
            int port = echo.awaitListeningPort();
            byte[] hello = "hello, kyoto".getBytes(StandardCharsets.UTF_8);
            assertArrayEquals(hello, roundTrip(port, hello), "the README's server echoes");
            assertCyclesLeaveDescriptors(echo, port, ECHO_CYCLES);
            echo.terminate();
            echo.awaitExit();
        }
    }

    @Test
    void theReadmesProxyForwardsBothWaysAndLeaksNothing() throws Exception {
        try (RunningProgram echo = start("README.md", "echo/echo.Echo", "127.0.0.1:0")) {
            int target = echo.awaitListeningPort();
            try (RunningProgram proxy = start("README.md", "proxy/proxy.Proxy", "127.0.0.1:0", "127.0.0.1:" + target)) {
                int port = proxy.awaitListeningPort();
                byte[] hello = "through the proxy".getBytes(StandardCharsets.UTF_8);
                // roundTrip ends its side and waits for the proxy's end: the half-close went to
                // the echo server and its close came back.
                assertArrayEquals(hello, roundTrip(port, hello), "the README's proxy forwards to the echo server and back");
                assertCyclesLeaveDescriptors(proxy, port, PROXY_CYCLES);
            }
        }
    }

    @Test
    void theReadmesVirtualThreadEchoServerEchoesAndLeaksNothing() throws Exception {
        try (RunningProgram echo = start("README.md", "vecho/vecho.VirtualEcho", "127.0.0.1:0")) {
            int port = echo.awaitListeningPort();
            byte[] hello = "hello, virtual threads".getBytes(StandardCharsets.UTF_8);
            assertArrayEquals(hello, roundTrip(port, hello), "the README's virtual-thread server echoes");
            assertCyclesLeaveDescriptors(echo, port, ECHO_CYCLES);
            echo.terminate();
            echo.awaitExit();
        }
    }

    @Test
    void theReadmesVirtualThreadClientAnswersAndGivesUpOnASilentServer() throws Exception {
        assertAskAnswersAndGivesUp("README.md", "vecho/vecho.VirtualEcho", "vecho/vecho.Ask");
    }

    // docs/guide.md

    @Test
    void theGuidesClientAnswersAndGivesUpOnASilentServer() throws Exception {
        List<String> log = assertAskAnswersAndGivesUp("docs/guide.md", "echo/echo.Echo", "echo/echo.Ask");
        assertEquals(2, log.size(), "a runtime's INFO lines as it starts and stops, with slf4j-simple: " + log);
        assertTrue(log.get(0).endsWith("runtime kyoto-worker started: current-thread, I/O driver nio, timers on"), log.get(0));
        assertTrue(log.get(1).contains("runtime kyoto-worker stopped in "), log.get(1));
    }

    /**
     * The document's {@code ask} client against its {@code echo} server prints the answer, and
     * against a server that accepts connections (the kernel does, into the backlog) and never
     * answers, gives up after its timeout with exit code 1.
     *
     * @return the runtime's log lines of the run that got its answer
     */
    private static List<String> assertAskAnswersAndGivesUp(String document, String echoMain, String askMain) throws Exception {
        List<String> log;
        try (RunningProgram echo = start(document, echoMain, "127.0.0.1:0")) {
            int port = echo.awaitListeningPort();
            try (RunningProgram ask = start(document, askMain, "127.0.0.1:" + port, "hello", "5")) {
                assertEquals(0, ask.awaitExit(), "Ask against the echo server: " + ask.output());
                assertEquals(List.of("hello"), ask.output(), "it prints the answer");
                log = ask.runtimeLog();
            }
        }
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                RunningProgram ask = start(document, askMain, "127.0.0.1:" + silent.getLocalPort(), "hello", "1")) {
            assertEquals(1, ask.awaitExit(), "Ask against a silent server: " + ask.output());
            assertTrue(ask.output().contains("no answer from 127.0.0.1:" + silent.getLocalPort() + " within 1 s"), "its output: " + ask.output());
        }
        return log;
    }

    @Test
    void theGuidesIdleEchoClosesAQuietConnectionAndKeepsATalkingOne() throws Exception {
        int idleSeconds = 2;
        try (RunningProgram server = start("docs/guide.md", "echo/echo.IdleEcho", "127.0.0.1:0", Integer.toString(idleSeconds))) {
            int port = server.awaitListeningPort();
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(60_000);
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                // Talking for longer than the idle time, one round trip after another, keeps the connection.
                long talkingSince = System.nanoTime();
                for (int i = 0; System.nanoTime() - talkingSince < 1_500_000_000L * idleSeconds; i++) {
                    out.write(i);
                    assertEquals(i & 0xff, in.read(), "a connection that keeps talking is still echoed");
                }
                long quietSince = System.nanoTime();
                assertEquals(-1, in.read(), "the server closes the connection once it is quiet");
                long quietMillis = (System.nanoTime() - quietSince) / 1_000_000;
                assertTrue(quietMillis >= 1_000L * idleSeconds * 3 / 4, "closed after " + quietMillis + " ms of quiet, idle time " + idleSeconds + " s");
            }
            server.awaitLine(Pattern.compile("^closed a connection idle for " + idleSeconds + " s$"));
        }
    }

    @Test
    void theGuidesFanOutCollectsEveryAnswerAndEnds() throws Exception {
        try (RunningProgram echo = start("docs/guide.md", "echo/echo.Echo", "127.0.0.1:0")) {
            int port = echo.awaitListeningPort();
            try (RunningProgram fanOut = start("docs/guide.md", "echo/echo.FanOut", "127.0.0.1:" + port, "10")) {
                assertEquals(0, fanOut.awaitExit(), "FanOut ends once every sender is closed: " + fanOut.output());
                Set<String> expected = IntStream.range(0, 10).mapToObj(i -> "answer to question " + i).collect(Collectors.toSet());
                assertEquals(expected, Set.copyOf(fanOut.output()), "one line per question, in any order");
                assertEquals(10, fanOut.output().size(), "each answer once");
            }
        }
    }

    @Test
    void theGuidesGracefulEchoDrainsOnSigtermAndExitsWithZero() throws Exception {
        try (RunningProgram server = start("docs/guide.md", "echo/echo.GracefulEcho", "127.0.0.1:0", "2");
                Socket leaving = new Socket(InetAddress.getLoopbackAddress(), server.awaitListeningPort());
                Socket staying = new Socket(InetAddress.getLoopbackAddress(), leaving.getPort())) {
            leaving.setSoTimeout(60_000);
            staying.setSoTimeout(60_000);
            assertEchoes(leaving, "one");
            assertEchoes(staying, "two");

            server.terminate();
            server.awaitLine(Pattern.compile("^shutting down: 2 connections open$"));
            assertEchoes(staying, "still served during the grace period");
            leaving.close();
            // The grace period (2 s) ends with the staying connection aborted: closed or reset.
            assertTrue(endsOrResets(staying.getInputStream()), "the connection left open is closed after the grace period");

            assertEquals(0, server.awaitExit(), "GracefulEcho's exit code; its output: " + server.output());
            assertEquals("stopped", server.output().getLast());
        }
    }

    @Test
    void theGuidesImageLinksAndServes() throws Exception {
        Path user = USER_DIRS.get("docs/guide.md");
        List<String> jlink = DOCUMENTS.get("docs/guide.md").commandsStartingWith("$JAVA_HOME/bin/jlink ");
        assertEquals(1, jlink.size(), "the guide gives one jlink command: " + jlink);
        run(user, jlink.get(0), "the guide's jlink command");
        try (RunningProgram echo = start("docs/guide.md", "echo-image/bin/java -m echo/echo.Echo", "127.0.0.1:0")) {
            int port = echo.awaitListeningPort();
            byte[] hello = "from the image".getBytes(StandardCharsets.UTF_8);
            assertArrayEquals(hello, roundTrip(port, hello), "the image's server echoes");
            assertFalse(echo.output().stream().anyMatch(l -> l.contains("SLF4J")), "the image has its log binding: " + echo.output());
        }
    }

    /**
     * Starts the program whose documented command line contains {@code -m main} (or, for a
     * {@code main} with a space in it, that starts with it), with {@code args} in place of the
     * documented ones.
     */
    private static RunningProgram start(String document, String main, String... args) throws IOException {
        List<String> found = main.contains(" ")
                ? DOCUMENTS.get(document).commandsStartingWith(main)
                : DOCUMENTS.get(document).commands().stream().filter(c -> c.startsWith("java ") && c.contains(" -m " + main)).toList();
        assertEquals(1, found.size(), document + " should give one command that runs " + main + ": " + found);
        String command = found.get(0);
        int m = command.indexOf(" -m ");
        int end = command.indexOf(' ', m + 4);
        String documented = end < 0 ? command : command.substring(0, end);
        return new RunningProgram(main, shell(USER_DIRS.get(document), "exec " + documented + " " + String.join(" ", args)));
    }

    private static void run(Path user, String command, String what) throws Exception {
        RunningProgram p = new RunningProgram(what, shell(user, command));
        int exit = p.awaitExit();
        assertEquals(0, exit, what + " failed: " + command + "\n" + String.join("\n", p.output()));
    }

    /** {@code command} run by bash in the user's directory, with this JDK as JAVA_HOME and first on the path. */
    private static ProcessBuilder shell(Path user, String command) {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", command).directory(user.toFile());
        Path jdk = Path.of(System.getProperty("java.home"));
        pb.environment().put("JAVA_HOME", jdk.toString());
        pb.environment().put("PATH", jdk.resolve("bin") + ":" + System.getenv("PATH"));
        return pb;
    }

    private static void assertEchoes(Socket s, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        s.getOutputStream().write(bytes);
        assertArrayEquals(bytes, s.getInputStream().readNBytes(bytes.length), "echoed: " + text);
    }

    private static boolean endsOrResets(InputStream in) throws IOException {
        try {
            return in.read() == -1;
        } catch (SocketException reset) {
            return true;
        }
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

    /** {@code cycles} connections one after another, and the program's open descriptors back where they were. */
    private static void assertCyclesLeaveDescriptors(RunningProgram program, int port, int cycles) throws Exception {
        long baseline = steadyDescriptors(program.pid(), port);
        for (int i = 0; i < cycles; i++) {
            roundTrip(port, new byte[] {(byte) i});
        }
        assertEquals(baseline, awaitDescriptors(program.pid(), port, baseline),
                "the program's open descriptors after " + cycles + " connections came and went");
    }

    /**
     * The program's open descriptors, counted while a probe connection is open and echoed. A socket
     * closed while registered with a selector gives its descriptor back at the selector's next
     * turn; the probe's echo is such a turn, so each probe also lets earlier closes finish.
     */
    private static long descriptorsDuringProbe(long pid, int port) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(1);
            assertEquals(1, s.getInputStream().read(), "the probe is echoed");
            try (var list = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
                return list.count();
            }
        }
    }

    /**
     * The program's descriptors at rest: the lowest count of 20 probes. A count seen twice in a
     * row was not enough: a close still in flight (the previous probe's socket, waiting for a
     * selector turn on the other worker) could be in two counts running and make the baseline one
     * too high, so that the program then looked as if it had closed a descriptor it never had (a
     * CI run saw 15 before and 14 after 10,000 connections).
     */
    private static long steadyDescriptors(long pid, int port) throws IOException {
        long lowest = descriptorsDuringProbe(pid, port);
        for (int probes = 1; probes < 20; probes++) {
            lowest = Math.min(lowest, descriptorsDuringProbe(pid, port));
        }
        return lowest;
    }

    /**
     * Probes until the count is {@code expected} (a close still in flight on a multi-thread runtime
     * finishes by a later probe's turn), at most 100 times; returns the last count.
     */
    private static long awaitDescriptors(long pid, int port, long expected) throws IOException {
        long now = descriptorsDuringProbe(pid, port);
        for (int probes = 0; now != expected && probes < 100; probes++) {
            now = descriptorsDuringProbe(pid, port);
        }
        return now;
    }
}
