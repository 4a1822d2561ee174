package dev.kyoto.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.io.Io;
import dev.kyoto.net.TcpListener;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * OpenSSL's {@code s_client} against a Kyoto TLS echo server: a client nobody here wrote checks
 * Kyoto's handshake, records, ALPN, client certificates, alerts and close_notify.
 */
class OpenSslClientTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final String LINE = "hello from openssl s_client";

    /**
     * What the Kyoto server saw of one connection, or how it failed: the failure is a value, so
     * that a handshake refused on purpose is not reported as a task failure nobody joined.
     */
    private record Seen(String protocol, String applicationProtocol, String clientSubject, long echoed, Exception failure) {
        Seen echoing(long n) {
            return new Seen(protocol, applicationProtocol, clientSubject, n, null);
        }

        Seen succeeded() {
            if (failure != null) {
                throw new AssertionError("the Kyoto server failed: " + failure, failure);
            }
            return this;
        }
    }

    private static void within(Executable body) {
        assertTimeoutPreemptively(LIMIT, body);
    }

    /** Accepts one connection and echoes it with {@code Io.copy} until the client's close_notify, then sends its own. */
    private static JoinHandle<Seen> echoOnce(KyotoRuntime rt, TcpListener listener, TlsAcceptor acceptor) {
        return rt.spawn(listener.accept().then(acceptor::accept).then(tls -> Async.using(tls, t -> {
            String subject = t.peerCertificates().isEmpty() ? null
                    : ((X509Certificate) t.peerCertificates().get(0)).getSubjectX500Principal().getName();
            Seen handshake = new Seen(t.session().getProtocol(), t.applicationProtocol(), subject, -1, null);
            return Io.copy(t, t).then(n -> t.shutdown().map(v -> handshake.echoing(n)));
        })).recover(e -> new Seen(null, null, null, -1, e)));
    }

    /** {@code s_client}, verifying the server as {@code localhost} against the test CA, printing its session and no commands. */
    private static PeerProcess sClient(TestPki pki, TcpListener listener, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(PeerProcess.tool("openssl", "openssl"), "s_client",
                "-connect", "127.0.0.1:" + listener.localAddress().getPort(), "-CAfile", pki.caPem.toString(),
                "-verify_return_error", "-servername", "localhost", "-nocommands"));
        cmd.addAll(List.of(extra));
        return PeerProcess.start(cmd.toArray(String[]::new));
    }

    /** Sends a line, reads it back, then closes s_client's input: it sends close_notify and exits. */
    private static void echoRoundTrip(PeerProcess client) throws Exception {
        client.send(LINE + "\n");
        client.out.await("Verify return code: 0 (ok)", l -> l.trim().equals("Verify return code: 0 (ok)"));
        // s_client may print the echo right after a session ticket's hex dump, on the same line.
        client.out.await("the echoed line", l -> l.endsWith(LINE));
        client.closeInput();
        assertEquals(0, client.awaitExit(), client.transcript());
    }

    private static Exception failureOf(KyotoRuntime rt, JoinHandle<Seen> handle) throws Exception {
        Seen seen = rt.blockOn(handle);
        assertNotNull(seen.failure, "the Kyoto server should have failed, but saw " + seen);
        return seen.failure;
    }

    private static KyotoRuntime runtime() {
        return KyotoRuntime.builder().multiThread().workerThreads(2).enableAll().build();
    }

    @ParameterizedTest
    @CsvSource({"-tls1_2, TLSv1.2", "-tls1_3, TLSv1.3"})
    void echoesALineBackToSClient(String flag, String protocol) {
        within(() -> {
            TestPki pki = TestPki.get();
            TlsAcceptor acceptor = TlsAcceptor.builder().certificateChain(pki.serverChain).privateKey(pki.serverKey).build();
            try (KyotoRuntime rt = runtime(); TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"))) {
                JoinHandle<Seen> server = echoOnce(rt, listener, acceptor);
                try (PeerProcess client = sClient(pki, listener, flag)) {
                    client.out.await("the session's protocol " + protocol, l -> l.startsWith("New, " + protocol + ", Cipher is "));
                    echoRoundTrip(client);
                }
                Seen seen = rt.blockOn(server).succeeded();
                assertEquals(protocol, seen.protocol);
                assertEquals(LINE.length() + 1, seen.echoed, "the server read s_client's close_notify as a clean end after the line");
            }
        });
    }

    @Test
    void agreesOnAlpnWithSClientOrRefusesWithAnAlert() {
        within(() -> {
            TestPki pki = TestPki.get();
            TlsAcceptor acceptor = TlsAcceptor.builder().certificateChain(pki.serverChain).privateKey(pki.serverKey)
                    .applicationProtocols("http/1.1").build();
            try (KyotoRuntime rt = runtime(); TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"))) {
                JoinHandle<Seen> server = echoOnce(rt, listener, acceptor);
                try (PeerProcess client = sClient(pki, listener, "-alpn", "h2,http/1.1")) {
                    client.out.await("ALPN protocol: http/1.1");
                    echoRoundTrip(client);
                }
                assertEquals("http/1.1", rt.blockOn(server).succeeded().applicationProtocol);

                JoinHandle<Seen> refusing = echoOnce(rt, listener, acceptor);
                try (PeerProcess client = sClient(pki, listener, "-alpn", "h2")) {
                    assertNotEquals(0, client.awaitExit(), client.transcript());
                    assertTrue(client.err.contains("no application protocol"), "s_client got Kyoto's no_application_protocol alert\n"
                            + client.transcript());
                }
                Throwable e = failureOf(rt, refusing);
                assertInstanceOf(SSLHandshakeException.class, e);
                assertTrue(e.getMessage().contains("no_application_protocol"), e.getMessage());
            }
        });
    }

    @Test
    void requiresAndReadsSClientsCertificate() {
        within(() -> {
            TestPki pki = TestPki.get();
            TlsAcceptor acceptor = TlsAcceptor.builder().certificateChain(pki.serverChain).privateKey(pki.serverKey)
                    .clientAuth(TlsAcceptor.ClientAuth.REQUIRED, pki.caPem).build();
            try (KyotoRuntime rt = runtime(); TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"))) {
                JoinHandle<Seen> server = echoOnce(rt, listener, acceptor);
                try (PeerProcess client = sClient(pki, listener, "-cert", pki.clientChain.toString(), "-key", pki.clientKey.toString())) {
                    echoRoundTrip(client);
                }
                Seen seen = rt.blockOn(server).succeeded();
                assertEquals("CN=kyoto-test-client", seen.clientSubject);
                assertEquals(LINE.length() + 1, seen.echoed);

                JoinHandle<Seen> refusing = echoOnce(rt, listener, acceptor);
                try (PeerProcess client = sClient(pki, listener)) {
                    client.send(LINE + "\n");
                    assertNotEquals(0, client.awaitExit(), client.transcript());
                    assertTrue(client.err.contains("alert certificate required"), "s_client got Kyoto's certificate_required alert\n"
                            + client.transcript());
                    assertFalse(client.out.contains(LINE), "nothing was echoed\n" + client.transcript());
                }
                Throwable e = failureOf(rt, refusing);
                assertInstanceOf(SSLHandshakeException.class, e);
                assertTrue(e.getMessage().contains("certificate"), e.getMessage());
            }
        });
    }
}
