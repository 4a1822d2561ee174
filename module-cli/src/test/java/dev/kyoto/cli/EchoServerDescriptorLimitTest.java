package dev.kyoto.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code kyoto echo-server} run out of descriptors: a server must ride out {@code EMFILE} on
 * accept, go on serving the connections it has, and serve new ones once descriptors are free.
 */
class EchoServerDescriptorLimitTest {
    /** Room for the JVM's own files and about a hundred connections. */
    private static final int DESCRIPTOR_LIMIT = 128;
    /** More connections than the server can hold: the rest wait in the listen backlog. */
    private static final int CLIENTS = 300;
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern RECOVERED = Pattern.compile(".*accepting connections again after (\\d+) failed accepts?.*");
    /** The tool's rate limit: at most one warning about accept failures per this many seconds. */
    private static final long WARNING_INTERVAL_SECONDS = 10;

    @Test
    void theServerSurvivesRunningOutOfDescriptorsAndServesAgainOnceTheyAreFree() {
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            long started = System.nanoTime();
            try (KyotoProcess server = KyotoProcess.startWithDescriptorLimit(DESCRIPTOR_LIMIT,
                    "echo-server", "--bind", "127.0.0.1:0")) {
                String first = server.readLine();
                Matcher m = LISTENING.matcher(String.valueOf(first));
                assertTrue(m.matches(), "first line: " + first);
                int port = Integer.parseInt(m.group(1));

                List<Socket> clients = new ArrayList<>(CLIENTS);
                try {
                    // Each connect completes in the kernel's listen backlog, accepted or not.
                    for (int i = 0; i < CLIENTS; i++) {
                        clients.add(connect(port));
                    }
                    String exhausted = server.awaitErrLine(line -> line.contains("Too many open files"));
                    assertNotNull(exhausted, "the server never ran out of descriptors under a limit of " + DESCRIPTOR_LIMIT);

                    // Out of descriptors, it still serves the connection it accepted first.
                    assertEchoes(clients.getFirst(), "still serving while out of descriptors");
                    assertTrue(server.handle().isAlive(), "the server exited when it ran out of descriptors");
                    assertTrue(exhausted.contains("warning"), "an accept failure is a warning, not the end: " + exhausted);
                } finally {
                    for (Socket c : clients) {
                        c.close();
                    }
                }

                // Descriptors come back as the server closes the connections that ended; then it accepts again.
                try (Socket late = connect(port)) {
                    assertEchoes(late, "serving again once descriptors are free");
                }
                String recovered = server.awaitErrLine(line -> RECOVERED.matcher(line).matches());
                assertNotNull(recovered, "the server never said it accepts again");
                assertTrue(server.handle().isAlive());

                // The failures were many (one per pause of the back-off); the warnings were few.
                long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
                long warnings = server.errLinesSoFar().stream().filter(line -> line.contains("Too many open files")).count();
                assertTrue(warnings <= 1 + seconds / WARNING_INTERVAL_SECONDS + 1,
                        warnings + " warnings in " + seconds + " s; expected at most one per " + WARNING_INTERVAL_SECONDS + " s");
            }
        });
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        // A hang detector: an echo that does not come back within this fails the test.
        s.setSoTimeout(30_000);
        return s;
    }

    private static void assertEchoes(Socket s, String what) throws IOException {
        byte[] msg = what.getBytes(StandardCharsets.US_ASCII);
        s.getOutputStream().write(msg);
        assertArrayEquals(msg, s.getInputStream().readNBytes(msg.length), what);
    }
}
