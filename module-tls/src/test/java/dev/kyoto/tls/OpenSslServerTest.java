package dev.kyoto.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.io.BufReader;
import dev.kyoto.net.TcpStream;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kyoto's {@link TlsConnector} against OpenSSL's {@code s_server -rev}, which sends every line
 * back reversed: a server nobody here wrote checks the client's handshake, its records both ways
 * at once, and close_notify in both directions.
 */
class OpenSslServerTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);

    /** {@code s_server -rev} on a port of its own choosing on 127.0.0.1, for one connection; returns once it listens. */
    private static PeerProcess sServer(Path chain, Path key, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(PeerProcess.tool("openssl", "openssl"), "s_server",
                "-accept", "127.0.0.1:0", "-cert", chain.toString(), "-key", key.toString(), "-rev", "-naccept", "1"));
        cmd.addAll(List.of(extra));
        PeerProcess server = PeerProcess.start(cmd.toArray(String[]::new));
        server.closeInput();
        return server;
    }

    /** The port s_server printed ("ACCEPT 127.0.0.1:41234") once it listens. */
    private static int port(PeerProcess server) throws InterruptedException {
        String accept = server.out.await("ACCEPT 127.0.0.1:<port>", l -> l.startsWith("ACCEPT 127.0.0.1:"));
        return Integer.parseInt(accept.substring("ACCEPT 127.0.0.1:".length()).trim());
    }

    private static String reversed(String s) {
        return new StringBuilder(s).reverse().toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void sServerReversesKyotosLines(String protocol) {
        assertTimeoutPreemptively(LIMIT, () -> {
            TestPki pki = TestPki.get();
            TlsConnector connector = TlsConnector.builder().trustedCertificates(pki.caPem).protocols(protocol).build();
            // Enough lines to fill many records each way, written by one task while another reads.
            Random random = new Random(42);
            List<String> lines = new ArrayList<>();
            StringBuilder all = new StringBuilder();
            for (int i = 0; i < 2000; i++) {
                StringBuilder line = new StringBuilder(i + ":");
                for (int n = random.nextInt(200); n > 0; n--) {
                    line.append((char) ('a' + random.nextInt(26)));
                }
                lines.add(line.toString());
                all.append(line).append('\n');
            }
            byte[] request = all.toString().getBytes(StandardCharsets.US_ASCII);
            try (PeerProcess server = sServer(pki.serverChain, pki.serverKey);
                    KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(2).enableAll().build()) {
                int port = port(server);
                TlsStream<TcpStream> tls = rt.blockOn(TcpStream.connect("127.0.0.1", port).then(s -> connector.connect("localhost", s)));
                try (tls) {
                    assertEquals(protocol, tls.session().getProtocol());
                    JoinHandle<Void> writer = rt.spawn(tls.writeAll(ByteBuffer.wrap(request)).then(v -> tls.flush()));
                    BufReader in = new BufReader(tls);
                    for (String line : lines) {
                        assertEquals(reversed(line), rt.blockOn(in.readLine()));
                    }
                    rt.blockOn(writer);
                    rt.blockOn(tls.shutdown());
                    assertNull(rt.blockOn(in.readLine()), "s_server answered our close_notify with its own: a clean end");
                }
                server.err.await("Protocol version: " + protocol);
                server.err.await("CONNECTION CLOSED");
                assertEquals(0, server.awaitExit(), server.transcript());
            }
        });
    }

    @Test
    void anUntrustedSServerFailsTheHandshakeAndHearsWhy() {
        assertTimeoutPreemptively(LIMIT, () -> {
            TestPki pki = TestPki.get();
            TlsConnector connector = TlsConnector.builder().trustedCertificates(pki.caPem).build();
            try (PeerProcess server = sServer(pki.strangerChain, pki.strangerKey);
                    KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(2).enableAll().build()) {
                int port = port(server);
                Async<TlsStream<TcpStream>> connect = TcpStream.connect("127.0.0.1", port).then(s -> connector.connect("localhost", s));
                Exception e = assertThrows(Exception.class, () -> rt.blockOn(connect));
                Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                assertInstanceOf(SSLHandshakeException.class, cause);
                assertTrue(cause.getMessage().contains("server localhost") && cause.getMessage().contains("certification path"),
                        cause.getMessage());
                server.err.await("the certificate_unknown alert Kyoto sent", l -> l.contains("alert certificate unknown"));
            }
        });
    }
}
