package dev.kyoto.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ConnectCommandTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void relaysStandardInputToTheServerAndItsRepliesToStandardOutput() throws Exception {
        // Larger than the socket buffers, so the relay only finishes if both directions run at once.
        byte[] input = new byte[4 << 20];
        new Random(7).nextBytes(input);
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try (ServerSocket server = loopbackServer()) {
            Thread.ofPlatform().daemon().start(() -> serveOne(server, s -> s.getInputStream().transferTo(s.getOutputStream())));
            CommandRun run = assertTimeoutPreemptively(TIMEOUT,
                    () -> CommandRun.of(new ConnectCommand(new ByteArrayInputStream(input), output), address(server)));

            assertEquals(0, run.exitCode(), run.err());
            assertTrue(run.errLine().matches("connected to 127\\.0\\.0\\.1:" + server.getLocalPort() + " in \\d+\\.\\d\\d ms"),
                    run.err());
            assertArrayEquals(input, output.toByteArray());
        }
    }

    @Test
    void endsWhenTheServerClosesEvenThoughInputContinues() throws Exception {
        CountDownLatch inputEnds = new CountDownLatch(1);
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try (ServerSocket server = loopbackServer()) {
            Thread.ofPlatform().daemon().start(() -> serveOne(server, s -> s.getOutputStream().write(ascii("bye\n"))));
            CommandRun run = assertTimeoutPreemptively(TIMEOUT,
                    () -> CommandRun.of(new ConnectCommand(inputEndingAt(inputEnds), output), address(server)));

            assertEquals(0, run.exitCode(), run.err());
            assertEquals("bye\n", output.toString(StandardCharsets.US_ASCII));
        } finally {
            inputEnds.countDown();
        }
    }

    @Test
    void aFailingStandardOutputIsReportedAsSuch() throws Exception {
        CountDownLatch inputEnds = new CountDownLatch(1);
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }
        };
        try (ServerSocket server = loopbackServer()) {
            Thread.ofPlatform().daemon().start(() -> serveOne(server, s -> {
                s.getOutputStream().write(ascii("hello"));
                s.getInputStream().transferTo(OutputStream.nullOutputStream());
            }));
            CommandRun run = assertTimeoutPreemptively(TIMEOUT,
                    () -> CommandRun.of(new ConnectCommand(inputEndingAt(inputEnds), broken), address(server)));

            assertEquals(1, run.exitCode());
            assertTrue(run.err().endsWith("kyoto connect: cannot write to standard output: Broken pipe" + System.lineSeparator()),
                    run.err());
        } finally {
            inputEnds.countDown();
        }
    }

    @Test
    void aRefusedConnectionIsAOneLineErrorWithExitCode1() throws Exception {
        String refused = refusedAddress();
        CommandRun run = assertTimeoutPreemptively(TIMEOUT, () -> CommandRun.of(new KyotoCommand(), "connect", refused));

        assertEquals(1, run.exitCode());
        assertEquals("kyoto connect: cannot connect to " + refused + ": Connection refused", run.errLine());
    }

    @Test
    void aMissingAddressIsAUsageError() {
        CommandRun run = assertTimeoutPreemptively(TIMEOUT, () -> CommandRun.of(new KyotoCommand(), "connect"));

        run.assertUsageError("kyoto connect", "Missing required parameter: 'HOST:PORT'");
    }

    @Test
    void aMalformedAddressIsAUsageError() {
        CommandRun run = assertTimeoutPreemptively(TIMEOUT, () -> CommandRun.of(new KyotoCommand(), "connect", "nonsense"));

        run.assertUsageError("kyoto connect", "invalid socket address \"nonsense\": expected HOST:PORT");
    }

    @Test
    void aPortOutOfRangeIsAUsageError() {
        CommandRun run = assertTimeoutPreemptively(TIMEOUT, () -> CommandRun.of(new KyotoCommand(), "connect", "127.0.0.1:65536"));

        run.assertUsageError("kyoto connect", "port 65536 is out of range");
    }

    /** What a test server does with its one connection. */
    private interface Conversation {
        void run(Socket socket) throws IOException;
    }

    private static ServerSocket loopbackServer() throws IOException {
        return new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    }

    private static void serveOne(ServerSocket server, Conversation conversation) {
        try (Socket s = server.accept()) {
            conversation.run(s);
        } catch (IOException e) {
            // The command's exit code and output are what the test checks; a broken test server shows there.
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String address(ServerSocket server) {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** A loopback address on which nothing listens: bound once to learn a free port, then closed. */
    private static String refusedAddress() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return "127.0.0.1:" + s.getLocalPort();
        }
    }

    /** Standard input that stays open, as a terminal does, until {@code end} is counted down. */
    private static InputStream inputEndingAt(CountDownLatch end) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                try {
                    end.await();
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
                return -1;
            }
        };
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
