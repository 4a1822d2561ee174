package dev.kyoto.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code kyoto echo-server} stopped by a real SIGTERM or SIGINT sent to a real child process:
 * it stops accepting at once, lets open connections finish within {@code --grace}, closes what is
 * left, and exits with 0; a second signal ends it at once. Every wait is on an event (a line on
 * standard error, the end of a socket's stream, the process's exit), never on the clock.
 */
class EchoServerShutdownTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final String NAME = "kyoto echo-server: ";

    /**
     * Three connections open at the signal, on both runtimes: new connections are refused at
     * once, the open ones go on echoing, and when their clients close them the server exits with 0
     * long before its grace period of ten minutes.
     */
    @ParameterizedTest
    @CsvSource({"TERM, --workers=2", "INT, --workers=2", "TERM, --current-thread", "TERM, --virtual-threads"})
    void openConnectionsFinishAndTheServerExitsWhenTheyClose(String signal, String runtime) {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            try (KyotoProcess server = KyotoProcess.startToSignal("echo-server", "--bind", "127.0.0.1:0", "--grace", "10m",
                    runtime)) {
                int port = port(server);
                List<Socket> clients = new ArrayList<>();
                try {
                    for (int i = 0; i < 3; i++) {
                        Socket c = connect(port);
                        clients.add(c);
                        assertEchoes(c, "before the signal " + i);
                    }
                    server.signal(signal);
                    assertNotNull(server.awaitErrLine(line -> line.equals(NAME + "shutting down: 3 connections open, waiting up to 10 min")),
                            "no line saying the server shuts down: " + server.errLinesSoFar());

                    assertNotServed(port, runtime.equals("--current-thread"));
                    for (Socket c : clients) {
                        assertEchoes(c, "after the signal");
                    }
                    assertTrue(server.handle().isAlive(), "the server left before its connections closed");
                } finally {
                    for (Socket c : clients) {
                        c.close();
                    }
                }
                assertEquals(0, server.waitFor(), "exit status");
                assertTrue(server.errLinesSoFar().contains(NAME + "every connection closed in time"), server.errLinesSoFar().toString());
            }
        });
    }

    /** A connection that stays open is closed by the server when the grace period ends, and the server exits with 0. */
    @ParameterizedTest
    @CsvSource({"TERM, --workers=2", "INT, --workers=2", "TERM, --virtual-threads"})
    void aConnectionStillOpenAfterTheGracePeriodIsClosed(String signal, String runtime) {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            try (KyotoProcess server = KyotoProcess.startToSignal("echo-server", "--bind", "127.0.0.1:0", "--grace", "500ms",
                    runtime);
                    Socket lingering = connect(port(server))) {
                assertEchoes(lingering, "before the signal");
                server.signal(signal);
                assertNotNull(server.awaitErrLine(line -> line.equals(NAME + "shutting down: 1 connection open, waiting up to 500 ms")),
                        server.errLinesSoFar().toString());
                assertEquals(-1, lingering.getInputStream().read(), "the server closes the connection after the grace period");
                assertEquals(0, server.waitFor(), "exit status");
                assertTrue(server.errLinesSoFar().contains(NAME + "1 connection aborted after the grace period"),
                        server.errLinesSoFar().toString());
            }
        });
    }

    /** {@code --grace 0}: the open connections are closed as soon as the signal is seen. */
    @Test
    void aGraceOfZeroClosesTheConnectionsAtOnce() {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            try (KyotoProcess server = KyotoProcess.startToSignal("echo-server", "--bind", "127.0.0.1:0", "--grace", "0");
                    Socket a = connect(port(server));
                    Socket b = connect(a.getPort())) {
                assertEchoes(a, "a");
                assertEchoes(b, "b");
                server.signal("TERM");
                assertEquals(-1, a.getInputStream().read());
                assertEquals(-1, b.getInputStream().read());
                assertEquals(0, server.waitFor(), "exit status");
                assertEquals(List.of(NAME + "shutting down: 2 connections open, closing them now (--grace 0)",
                        NAME + "2 connections aborted after the grace period"), server.errLinesSoFar());
            }
        });
    }

    /** With no connection open the server exits with 0 as soon as it has stopped listening. */
    @Test
    void withNoConnectionOpenTheServerExitsAtOnce() {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            try (KyotoProcess server = KyotoProcess.startToSignal("echo-server", "--bind", "127.0.0.1:0")) {
                port(server);
                server.signal("INT");
                assertEquals(0, server.waitFor(), "exit status");
                assertEquals(List.of(NAME + "shutting down: no connections open"), server.errLinesSoFar());
            }
        });
    }

    /** A second signal during a long grace period ends the server at once with 128 plus its number. */
    @ParameterizedTest
    @CsvSource({"TERM, TERM, 143", "INT, INT, 130", "TERM, INT, 130", "INT, TERM, 143"})
    void aSecondSignalDuringTheGracePeriodExitsAtOnce(String first, String second, int status) {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            try (KyotoProcess server = KyotoProcess.startToSignal("echo-server", "--bind", "127.0.0.1:0", "--grace", "10m");
                    Socket open = connect(port(server))) {
                assertEchoes(open, "before the signals");
                server.signal(first);
                assertNotNull(server.awaitErrLine(line -> line.startsWith(NAME + "shutting down: 1 connection open")),
                        server.errLinesSoFar().toString());
                server.signal(second);
                assertEquals(status, server.waitFor(), "exit status");
                assertTrue(server.errLinesSoFar().contains(NAME + "SIG" + second + " during the shutdown: exiting at once"),
                        server.errLinesSoFar().toString());
                assertEquals(-1, open.getInputStream().read(), "the process is gone, and with it the connection");
            }
        });
    }

    @Test
    void aGraceThatIsNotADurationIsAUsageError() {
        CommandRun run = assertTimeoutPreemptively(TIMEOUT,
                () -> CommandRun.of(new KyotoCommand(), "echo-server", "--grace", "soon"));

        run.assertUsageError("kyoto echo-server", "Invalid value for option '--grace': 'soon' is not a duration");
    }

    @Test
    void theHelpDescribesTheGracefulShutdown() {
        CommandRun run = CommandRun.of(new KyotoCommand(), "echo-server", "--help");

        assertEquals(0, run.exitCode());
        assertTrue(run.out().contains("--grace=TIME"), run.out());
        assertTrue(run.out().contains("SIGTERM or SIGINT"), run.out());
    }

    /**
     * A connection tried after the shutdown line is not served: refused, or (on a multi-thread
     * runtime, where the listener's descriptor is closed by a worker's next turn of the selector,
     * which may come a moment after the line) reset when that close drops the kernel's backlog.
     * On a current-thread runtime the line comes after that turn, so it must be refused.
     */
    private static void assertNotServed(int port, boolean mustBeRefused) throws IOException {
        Socket late;
        try {
            late = connect(port);
        } catch (ConnectException refused) {
            return;
        }
        try (late) {
            assertTrue(!mustBeRefused, "a connection after the shutdown line was let in");
            int echoed;
            try {
                late.getOutputStream().write(1);
                echoed = late.getInputStream().read();
            } catch (SocketException reset) {
                return;
            }
            assertEquals(-1, echoed, "a connection made after the shutdown line was served");
        }
    }

    private static int port(KyotoProcess server) throws IOException {
        String first = server.readLine();
        Matcher m = LISTENING.matcher(String.valueOf(first));
        assertTrue(m.matches(), "first line: " + first);
        return Integer.parseInt(m.group(1));
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        // A hang detector: an echo or an end of stream that does not come within this fails the test.
        s.setSoTimeout(30_000);
        return s;
    }

    private static void assertEchoes(Socket s, String what) throws IOException {
        byte[] msg = what.getBytes(StandardCharsets.US_ASCII);
        s.getOutputStream().write(msg);
        assertArrayEquals(msg, s.getInputStream().readNBytes(msg.length), what);
    }
}
