package dev.kyoto.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tool over TLS: {@code kyoto echo-server --tls-cert --tls-key} in a child JVM, answered by
 * the JDK's {@link SSLSocket}, by {@code kyoto connect --tls} and {@code kyoto bench --tls} (run
 * in this JVM), by clients that do not speak TLS, and refused by clients that must not trust it.
 * One server has a certificate from the test CA for {@code localhost} and {@code 127.0.0.1}; the
 * other a certificate of the same names from a CA nobody trusts.
 */
class TlsCommandsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+) \\(TLS\\)");

    private static TestPki pki;
    private static KyotoProcess trusted;
    private static String trustedAddress;
    private static KyotoProcess stranger;
    private static String strangerAddress;

    @BeforeAll
    static void startServers() throws Exception {
        pki = TestPki.get();
        trusted = KyotoProcess.start("echo-server", "--bind", "127.0.0.1:0",
                "--tls-cert", pki.serverChain.toString(), "--tls-key", pki.serverKey.toString());
        trustedAddress = "127.0.0.1:" + listeningPort(trusted);
        stranger = KyotoProcess.start("echo-server", "--bind", "127.0.0.1:0", "--current-thread",
                "--tls-cert", pki.strangerChain.toString(), "--tls-key", pki.strangerKey.toString());
        strangerAddress = "127.0.0.1:" + listeningPort(stranger);
    }

    @AfterAll
    static void stopServers() throws IOException {
        if (trusted != null) {
            trusted.close();
        }
        if (stranger != null) {
            stranger.close();
        }
    }

    @Test
    void theEchoServerAnswersAJdkClientThatTrustsItsCaAndEndsWithCloseNotify() {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            try (SSLSocket s = jdkClient(trustedAddress)) {
                byte[] hello = ascii("hello over TLS");
                s.getOutputStream().write(hello);
                s.getOutputStream().flush();
                assertArrayEquals(hello, s.getInputStream().readNBytes(hello.length));
                assertTrue(s.getSession().getProtocol().startsWith("TLSv1."), s.getSession().getProtocol());
                // TLS 1.3's half-close: our close_notify ends the server's echo, and it closes. (The
                // JDK reads a bare end of stream as -1 too: kyoto connect, which does not, checks
                // the server's close_notify in the tests below.)
                s.shutdownOutput();
                assertEquals(-1, s.getInputStream().read(), "the server's close_notify after the echo");
            }
        });
    }

    @Test
    void theEchoServerOnVirtualThreadsSpeaksTlsAndEndsWithCloseNotify() {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            try (KyotoProcess server = KyotoProcess.start("echo-server", "--bind", "127.0.0.1:0", "--virtual-threads",
                    "--tls-cert", pki.serverChain.toString(), "--tls-key", pki.serverKey.toString());
                    SSLSocket s = jdkClient("127.0.0.1:" + listeningPort(server))) {
                byte[] hello = ascii("hello over TLS, on a virtual thread");
                s.getOutputStream().write(hello);
                s.getOutputStream().flush();
                assertArrayEquals(hello, s.getInputStream().readNBytes(hello.length));
                s.shutdownOutput();
                assertEquals(-1, s.getInputStream().read(), "the server's close_notify after the echo");
            }
        });
    }

    @Test
    void aClientThatDoesNotSpeakTlsIsDisconnectedAndTheServerGoesOn() throws Exception {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            int localPort;
            try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), port(trustedAddress))) {
                plain.setSoTimeout(30_000);
                localPort = plain.getLocalPort();
                plain.getOutputStream().write(ascii("GET / HTTP/1.0\r\n\r\n"));
                assertTrue(endsOrResets(plain.getInputStream()), "the server hangs up on a client that does not speak TLS");
            }
            String failed = trusted.awaitErrLine(l -> l.contains("connection from 127.0.0.1:" + localPort + " failed"));
            assertNotNull(failed, "the server reports the failed handshake");
            assertTrue(failed.startsWith("kyoto echo-server: connection from 127.0.0.1:" + localPort + " failed: TLS handshake with "),
                    failed);
            assertTrue(trusted.errLinesSoFar().stream().noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception:")),
                    "one line, no stack trace: " + trusted.errLinesSoFar());
            // Still serving.
            try (SSLSocket s = jdkClient(trustedAddress)) {
                s.getOutputStream().write(ascii("still here"));
                assertArrayEquals(ascii("still here"), s.getInputStream().readNBytes(10));
            }
        });
    }

    @Test
    void aClientThatNeverStartsItsHandshakeIsClosedAfterTheHandshakeTimeout() {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            try (KyotoProcess server = KyotoProcess.start("echo-server", "--bind", "127.0.0.1:0", "--tls-handshake-timeout", "1s",
                    "--tls-cert", pki.serverChain.toString(), "--tls-key", pki.serverKey.toString());
                    Socket silent = new Socket(InetAddress.getLoopbackAddress(), listeningPort(server))) {
                silent.setSoTimeout(30_000);
                assertTrue(endsOrResets(silent.getInputStream()), "the server closes a connection that never shakes hands");
                String line = server.awaitErrLine(l -> l.contains("failed"));
                assertEquals("kyoto echo-server: connection from 127.0.0.1:" + silent.getLocalPort()
                        + " failed: no TLS handshake within 1 s", line);
            }
        });
    }

    @Test
    void connectWithTheCaRelaysBothWaysOverTls() {
        // More than a TLS record and the socket buffers hold, so records wait in the stream and
        // both directions must run at once.
        byte[] input = new byte[1 << 20];
        new Random(19).nextBytes(input);
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        CommandRun run = assertTimeoutPreemptively(TIMEOUT, () -> CommandRun.of(
                new ConnectCommand(new ByteArrayInputStream(input), output), "--tls", "--ca", pki.caPem.toString(), trustedAddress));

        assertEquals(0, run.exitCode(), run.err());
        List<String> lines = run.err().lines().toList();
        assertEquals(2, lines.size(), run.err());
        assertTrue(lines.get(0).matches("connected to " + Pattern.quote(trustedAddress) + " in \\d+\\.\\d\\d ms"), run.err());
        assertTrue(lines.get(1).matches("TLS handshake with 127\\.0\\.0\\.1 done in \\d+\\.\\d\\d ms: TLSv1\\.[23], TLS_\\w+"), run.err());
        assertArrayEquals(input, output.toByteArray());
    }

    @Test
    void connectChecksTheServerNameGiven() {
        CommandRun run = connect("--tls", "--ca", pki.caPem.toString(), "--server-name", "localhost", trustedAddress);
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("TLS handshake with localhost done in "), run.err());

        run = connect("--tls", "--ca", pki.caPem.toString(), "--server-name", "kyoto.example", trustedAddress);
        assertEquals(1, run.exitCode(), run.err());
        String last = run.err().lines().toList().getLast();
        assertTrue(last.startsWith("kyoto connect: TLS handshake with server kyoto.example"), last);
        assertTrue(last.endsWith("(the server's certificate is not for that name: give the name it carries with --server-name NAME)"), last);
    }

    @Test
    void connectRefusesAnUntrustedCertificateSayingWhyAndHowToGoOn() {
        for (List<String> trust : List.<List<String>>of(List.of(), List.of("--ca", pki.caPem.toString()))) {
            String[] args = concat(List.of("--tls"), trust, List.of(strangerAddress));
            CommandRun run = connect(args);

            assertEquals(1, run.exitCode(), run.err());
            List<String> lines = run.err().lines().toList();
            assertEquals(2, lines.size(), run.err());
            assertTrue(lines.get(1).startsWith("kyoto connect: TLS handshake with server 127.0.0.1"), lines.get(1));
            assertTrue(lines.get(1).contains("unable to find valid certification path"), lines.get(1));
            assertTrue(lines.get(1).endsWith("(the server's certificate does not chain to a trusted CA: give its CA with --ca FILE, "
                    + "or skip the check with --insecure)"), lines.get(1));
        }
    }

    @Test
    void connectInsecurelyTalksToAnUntrustedServerAndWarns() {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        CommandRun run = assertTimeoutPreemptively(TIMEOUT, () -> CommandRun.of(
                new ConnectCommand(new ByteArrayInputStream(ascii("trust me")), output), "--tls", "--insecure", strangerAddress));

        assertEquals(0, run.exitCode(), run.err());
        assertEquals("trust me", output.toString(StandardCharsets.US_ASCII));
        assertTrue(run.err().startsWith("kyoto connect: warning: --insecure: the server's certificate is not checked; "
                + "the connection is encrypted but not authenticated"), run.err());
    }

    @Test
    void connectWithoutTlsToATlsServerGetsNoEcho() {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        CommandRun run = assertTimeoutPreemptively(TIMEOUT, () -> CommandRun.of(
                new ConnectCommand(new ByteArrayInputStream(ascii("plain\n")), output), trustedAddress));

        // The server hangs up (perhaps after an alert record): whatever came back is no echo.
        assertTrue(!output.toString(StandardCharsets.US_ASCII).contains("plain"), output.toString(StandardCharsets.US_ASCII));
        assertTrue(run.exitCode() == 0 || run.err().contains("kyoto connect: connection to " + trustedAddress + " failed: "), run.err());
    }

    @Test
    void benchOverTlsMeasuresTheTlsEchoServer() {
        CommandRun run = assertTimeoutPreemptively(TIMEOUT, () -> CommandRun.of(new KyotoCommand(), "bench", "--tls",
                "--ca", pki.caPem.toString(), "--target=" + trustedAddress, "--duration=1s", "--warmup=0s", "--connections=2"));

        assertEquals(0, run.exitCode(), run.err());
        assertEquals("", run.err());
        assertTrue(run.out().matches("(?s)kyoto bench: " + Pattern.quote(trustedAddress)
                + " over TLS \\(TLSv1\\.[23], TLS_\\w+; handshakes not timed\\), multi-thread runtime, .*"), run.out());
        assertTrue(run.out().contains("round trips/s"), run.out());
    }

    @Test
    void benchOverTlsOnItsOwnServerClosesEveryConnectionCleanly() {
        // The bench's own server reports a failed connection on the command's standard error: a
        // client that went without close_notify would show there.
        CommandRun run = assertTimeoutPreemptively(TIMEOUT, () -> CommandRun.of(new KyotoCommand(), "bench", "--tls",
                "--ca", pki.caPem.toString(), "--tls-cert", pki.serverChain.toString(), "--tls-key", pki.serverKey.toString(),
                "--duration=1s", "--warmup=0s", "--connections=4", "--size=20k"));

        assertEquals(0, run.exitCode(), run.err());
        assertEquals("", run.err());
        assertTrue(run.out().startsWith("kyoto bench: 127.0.0.1:"), run.out());
        assertTrue(run.out().contains(" (its own echo server) over TLS (TLSv1."), run.out());
    }

    @Test
    void benchRefusesAnUntrustedTarget() {
        CommandRun run = assertTimeoutPreemptively(TIMEOUT, () -> CommandRun.of(new KyotoCommand(), "bench", "--tls",
                "--target=" + strangerAddress, "--duration=1s", "--connections=2"));

        assertEquals(1, run.exitCode(), run.err());
        assertEquals("", run.out());
        assertTrue(run.errLine().startsWith("kyoto bench: TLS handshake with server 127.0.0.1"), run.err());
        assertTrue(run.errLine().contains("give its CA with --ca FILE"), run.err());
    }

    @Test
    void badTlsOptionsAreUsageErrors() {
        String cert = pki.serverChain.toString();
        String key = pki.serverKey.toString();
        run("echo-server", "--tls-cert", cert).assertUsageError("kyoto echo-server",
                "--tls-cert needs --tls-key: give the certificate chain and its private key together, or neither for plain TCP");
        run("echo-server", "--tls-key", key).assertUsageError("kyoto echo-server", "--tls-key needs --tls-cert");
        run("echo-server", "--tls-cert", cert, "--tls-key", pki.dir.resolve("missing.pem").toString())
                .assertUsageError("kyoto echo-server", "--tls-cert " + cert + " --tls-key " + pki.dir.resolve("missing.pem")
                        + ": no such file: " + pki.dir.resolve("missing.pem"));
        run("echo-server", "--tls-cert", key, "--tls-key", key)
                .assertUsageError("kyoto echo-server", "--tls-cert " + key + " --tls-key " + key + ": " + key + " holds no PEM certificate");
        run("echo-server", "--tls-cert", cert, "--tls-key", key, "--tls-handshake-timeout", "0s")
                .assertUsageError("kyoto echo-server", "--tls-handshake-timeout must be longer than 0");
        run("connect", "--insecure", trustedAddress).assertUsageError("kyoto connect", "--insecure applies to TLS only: add --tls");
        run("connect", "--ca", cert, trustedAddress).assertUsageError("kyoto connect", "--ca applies to TLS only: add --tls");
        run("connect", "--server-name", "localhost", trustedAddress)
                .assertUsageError("kyoto connect", "--server-name applies to TLS only: add --tls");
        run("connect", "--tls", "--insecure", "--ca", cert, trustedAddress)
                .assertUsageError("kyoto connect", "--insecure and --ca exclude each other");
        run("connect", "--tls", "--ca", key, trustedAddress)
                .assertUsageError("kyoto connect", "--ca " + key + ": " + key + " holds no PEM certificate");
        run("bench", "--tls").assertUsageError("kyoto bench", "--tls without --target needs --tls-cert and --tls-key");
        run("bench", "--tls-cert", cert, "--tls-key", key).assertUsageError("kyoto bench", "--tls-cert and --tls-key need --tls");
        run("bench", "--tls", "--tls-cert", cert, "--tls-key", key, "--target=" + trustedAddress)
                .assertUsageError("kyoto bench", "--tls-cert and --tls-key are for kyoto bench's own echo server");
    }

    private static CommandRun run(String... args) {
        return assertTimeoutPreemptively(TIMEOUT, () -> CommandRun.of(new KyotoCommand(), args));
    }

    /** {@code kyoto connect args} with empty standard input and output thrown away. */
    private static CommandRun connect(String... args) {
        return assertTimeoutPreemptively(TIMEOUT, () -> CommandRun.of(
                new ConnectCommand(InputStream.nullInputStream(), new ByteArrayOutputStream()), args));
    }

    /** A JDK client that trusts the test CA and checks the name, as HTTPS does. */
    private static SSLSocket jdkClient(String address) throws Exception {
        SSLSocket s = (SSLSocket) pki.clientContext().getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port(address));
        s.setSoTimeout(30_000);
        SSLParameters params = s.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(params);
        s.startHandshake();
        return s;
    }

    /** Waits for the server's first line (the read blocks until it is written) and gives its port. */
    private static int listeningPort(KyotoProcess server) throws IOException {
        String first = server.readLine();
        Matcher m = LISTENING.matcher(String.valueOf(first));
        assertTrue(m.matches(), "first line: " + first);
        return Integer.parseInt(m.group(1));
    }

    private static int port(String address) {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    private static boolean endsOrResets(InputStream in) throws IOException {
        try {
            in.readAllBytes();
            return true;
        } catch (SocketException reset) {
            return true;
        }
    }

    @SafeVarargs
    private static String[] concat(List<String>... parts) {
        return java.util.Arrays.stream(parts).flatMap(List::stream).toArray(String[]::new);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
