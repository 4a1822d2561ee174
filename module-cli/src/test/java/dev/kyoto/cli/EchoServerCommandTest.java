package dev.kyoto.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class EchoServerCommandTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    @Test
    void echoesEachConnectionUntilKilled() {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            try (KyotoProcess server = KyotoProcess.start("echo-server", "--bind", "127.0.0.1:0")) {
                String first = server.readLine();
                Matcher m = LISTENING.matcher(String.valueOf(first));
                assertTrue(m.matches(), "first line: " + first);
                int port = Integer.parseInt(m.group(1));

                try (Socket a = new Socket(InetAddress.getLoopbackAddress(), port);
                        Socket b = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    // Interleaved, so that one connection can only be answered while the other stays open.
                    a.getOutputStream().write(ascii("hello from a"));
                    b.getOutputStream().write(ascii("hello from b"));
                    assertArrayEquals(ascii("hello from b"), b.getInputStream().readNBytes(12));
                    assertArrayEquals(ascii("hello from a"), a.getInputStream().readNBytes(12));

                    a.shutdownOutput();
                    assertEquals(-1, a.getInputStream().read(), "the server closes a connection at its end of stream");
                    b.getOutputStream().write(ascii("still here"));
                    assertArrayEquals(ascii("still here"), b.getInputStream().readNBytes(10));
                }
            }
        });
    }

    @Test
    void runsAsAModuleAndReportsItsVersion() {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            try (KyotoProcess kyoto = KyotoProcess.start("--version")) {
                String version = kyoto.readLine();
                assertTrue(version.matches("kyoto \\d+\\.\\d+\\.\\d+.*"), version);
                assertEquals(0, kyoto.waitFor());
            }
        });
    }

    @Test
    void anAddressInUseIsAOneLineErrorWithExitCode1() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            CommandRun run = assertTimeoutPreemptively(TIMEOUT,
                    () -> CommandRun.of(new KyotoCommand(), "echo-server", "--bind", address));

            assertEquals(1, run.exitCode());
            assertEquals("", run.out());
            assertEquals("kyoto echo-server: cannot listen on " + address + ": Address already in use", run.errLine());
        }
    }

    @Test
    void aMalformedBindAddressIsAUsageError() {
        CommandRun run = assertTimeoutPreemptively(TIMEOUT,
                () -> CommandRun.of(new KyotoCommand(), "echo-server", "--bind", "localhost"));

        assertEquals(2, run.exitCode());
        assertTrue(run.err().startsWith("invalid socket address \"localhost\""), run.err());
        assertTrue(run.err().contains("Usage: kyoto echo-server"), run.err());
    }

    @Test
    void anUnexpectedArgumentIsAUsageError() {
        CommandRun run = assertTimeoutPreemptively(TIMEOUT,
                () -> CommandRun.of(new KyotoCommand(), "echo-server", "127.0.0.1:0"));

        assertEquals(2, run.exitCode());
        assertTrue(run.err().startsWith("Unmatched argument at index 1: '127.0.0.1:0'"), run.err());
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
