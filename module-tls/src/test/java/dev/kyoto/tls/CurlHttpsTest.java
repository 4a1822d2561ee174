package dev.kyoto.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.io.BufReader;
import dev.kyoto.net.TcpListener;
import dev.kyoto.net.TcpStream;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * curl, over OpenSSL, against a tiny HTTP/1.1 responder on Kyoto's TLS: what a browser-like
 * client makes of Kyoto's handshake, certificate and close, by IP address and by name, and what
 * Kyoto makes of a client that does not trust it.
 */
class CurlHttpsTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final String BODY = "hello from Kyoto over TLS\n";
    private static final byte[] RESPONSE = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + BODY.length()
            + "\r\nConnection: close\r\n\r\n" + BODY).getBytes(StandardCharsets.US_ASCII);

    /** What the responder read (the request's head, without the empty line), or how it failed, as a value. */
    private record Served(List<String> head, Exception failure) {
        Served succeeded() {
            if (failure != null) {
                throw new AssertionError("the Kyoto responder failed: " + failure, failure);
            }
            return this;
        }
    }

    private static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    private static void within(Executable body) {
        assertTimeoutPreemptively(LIMIT, body);
    }

    /**
     * Answers one request: reads its head up to the empty line, replies 200 with {@link #BODY},
     * then sends close_notify. {@code accepted} gets the TCP stream beneath, so the test can see
     * that it was closed.
     */
    private static JoinHandle<Served> respondOnce(KyotoRuntime rt, TcpListener listener, TlsAcceptor acceptor,
            AtomicReference<TcpStream> accepted) {
        return rt.spawn(listener.accept().then(s -> {
            accepted.set(s);
            return acceptor.accept(s);
        }).then(tls -> Async.using(tls, t -> {
            BufReader in = new BufReader(t);
            List<String> head = new ArrayList<>();
            return Async.loop(() -> in.readLine(8192).map(line -> {
                if (line == null) {
                    throw new EOFException("the client closed the connection inside the request's head: " + head);
                }
                if (line.isEmpty()) {
                    return false;
                }
                head.add(line);
                return true;
            })).then(v -> t.writeAll(ByteBuffer.wrap(RESPONSE))).then(v -> t.shutdown()).map(v -> new Served(head, null));
        })).recover(e -> new Served(null, e)));
    }

    private static PeerProcess curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(PeerProcess.tool("curl", "curl"), "-q", "--noproxy", "*", "--silent",
                "--show-error", "--max-time", String.valueOf(PeerProcess.HANG.toSeconds())));
        cmd.addAll(List.of(args));
        PeerProcess curl = PeerProcess.start(cmd.toArray(String[]::new));
        curl.closeInput();
        return curl;
    }

    private static TlsAcceptor acceptor(TestPki pki) throws Exception {
        return TlsAcceptor.builder().certificateChain(pki.serverChain).privateKey(pki.serverKey).build();
    }

    private static KyotoRuntime runtime() {
        return KyotoRuntime.builder().multiThread().workerThreads(2).enableAll().build();
    }

    @Test
    void curlGetsTheBodyByAddressOverTls13() {
        within(() -> {
            TestPki pki = TestPki.get();
            try (KyotoRuntime rt = runtime(); TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"))) {
                int port = listener.localAddress().getPort();
                JoinHandle<Served> server = respondOnce(rt, listener, acceptor(pki), new AtomicReference<>());
                try (PeerProcess curl = curl("--http1.1", "--verbose", "--cacert", pki.caPem.toString(), "https://127.0.0.1:" + port + "/")) {
                    assertEquals(0, curl.awaitExit(), curl.transcript());
                    assertEquals(BODY, curl.out.text(), curl.transcript());
                    curl.err.await("curl's TLS version", l -> l.contains("SSL connection using TLSv1.3"));
                    curl.err.await("curl's check of the certificate", l -> l.contains("SSL certificate verify ok."));
                }
                List<String> head = rt.blockOn(server).succeeded().head;
                assertEquals("GET / HTTP/1.1", head.get(0));
                assertTrue(head.contains("Host: 127.0.0.1:" + port), head.toString());
            }
        });
    }

    @Test
    void curlGetsTheBodyByName() {
        within(() -> {
            TestPki pki = TestPki.get();
            try (KyotoRuntime rt = runtime(); TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"))) {
                int port = listener.localAddress().getPort();
                JoinHandle<Served> server = respondOnce(rt, listener, acceptor(pki), new AtomicReference<>());
                // localhost may resolve to ::1 first, where nothing listens: curl then tries 127.0.0.1.
                try (PeerProcess curl = curl("--cacert", pki.caPem.toString(), "https://localhost:" + port + "/hello")) {
                    assertEquals(0, curl.awaitExit(), curl.transcript());
                    assertEquals(BODY, curl.out.text(), curl.transcript());
                }
                List<String> head = rt.blockOn(server).succeeded().head;
                assertEquals("GET /hello HTTP/1.1", head.get(0), "curl speaks HTTP/1.1 to a server that offers no ALPN");
                assertTrue(head.contains("Host: localhost:" + port), head.toString());
            }
        });
    }

    @Test
    void curlRefusesAnUntrustedServerAndKyotoHearsWhy() {
        within(() -> {
            TestPki pki = TestPki.get();
            try (KyotoRuntime rt = runtime(); TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"))) {
                AtomicReference<TcpStream> accepted = new AtomicReference<>();
                JoinHandle<Served> server = respondOnce(rt, listener, acceptor(pki), accepted);
                try (PeerProcess curl = curl("https://127.0.0.1:" + listener.localAddress().getPort() + "/")) {
                    assertEquals(60, curl.awaitExit(), "curl's exit code for a certificate it cannot verify\n" + curl.transcript());
                    assertEquals("", curl.out.text());
                }
                Served served = rt.blockOn(server);
                assertNull(served.head);
                Exception failure = served.failure;
                assertInstanceOf(SSLHandshakeException.class, failure, String.valueOf(failure));
                assertTrue(failure.getMessage().contains("TLS handshake with client") && failure.getMessage().contains("unknown_ca"),
                        () -> stackTrace(failure));
                TcpStream socket = accepted.get();
                assertNotNull(socket);
                assertThrows(IOException.class, () -> socket.tryRead(ByteBuffer.allocate(1)), "the failed handshake closed the socket");
            }
        });
    }
}
