package dev.kyoto.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kyoto.io.Io;
import dev.kyoto.net.TcpListener;
import dev.kyoto.net.TcpStream;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Kyoto's TLS against the JDK's own blocking {@code SSLSocket}, both ways, on TLS 1.2 and 1.3. */
class TlsJdkPeersTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void aKyotoServerEchoesToAJdkClient(String protocol) {
        assertTimeoutPreemptively(LIMIT, () -> {
            TestPki pki = TestPki.get();
            TlsAcceptor acceptor = TlsAcceptor.builder().certificateChain(pki.serverChain).privateKey(pki.serverKey)
                    .protocols(protocol).build();
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(2).enableAll().build()) {
                TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                JoinHandle<Long> server = rt.spawn(listener.accept().then(acceptor::accept)
                        .then(tls -> Async.using(tls, t -> Io.copy(t, t).then(n -> t.shutdown().map(v -> n)))));
                byte[] data = random(1 << 20);
                try (SSLSocket client = (SSLSocket) pki.clientContext(false).getSocketFactory()
                        .createSocket("127.0.0.1", listener.localAddress().getPort())) {
                    SSLParameters params = client.getSSLParameters();
                    params.setEndpointIdentificationAlgorithm("HTTPS");
                    client.setSSLParameters(params);
                    Thread writer = Thread.ofPlatform().start(() -> {
                        try {
                            OutputStream out = client.getOutputStream();
                            out.write(data);
                            out.flush();
                            if (protocol.equals("TLSv1.3")) {
                                // TLS 1.3 half-closes. TLS 1.2 has no half-close: a close_notify
                                // closes the server's output at once (RFC 5246 7.2.1), so the client
                                // says it only once it has its echo, below.
                                client.shutdownOutput();
                            }
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                    });
                    byte[] back = new DataInputStream(client.getInputStream()).readNBytes(data.length);
                    assertArrayEquals(data, back);
                    assertEquals(protocol, client.getSession().getProtocol());
                    writer.join();
                    if (protocol.equals("TLSv1.3")) {
                        assertEquals(-1, client.getInputStream().read(), "the server's close_notify ends the stream cleanly");
                    } else {
                        client.close();
                    }
                }
                assertEquals((long) data.length, rt.blockOn(server));
                listener.close();
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void aKyotoClientTalksToAJdkServer(String protocol) {
        assertTimeoutPreemptively(LIMIT, () -> {
            TestPki pki = TestPki.get();
            try (SSLServerSocket server = (SSLServerSocket) pki.serverContext().getServerSocketFactory().createServerSocket(0)) {
                server.setEnabledProtocols(new String[] {protocol});
                byte[] data = random(300_000);
                Thread echo = Thread.ofPlatform().start(() -> {
                    try (SSLSocket s = (SSLSocket) server.accept()) {
                        InputStream in = s.getInputStream();
                        OutputStream out = s.getOutputStream();
                        byte[] buf = new byte[8192];
                        for (int n; (n = in.read(buf)) > 0; ) {
                            out.write(buf, 0, n);
                        }
                        out.flush();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                TlsConnector connector = TlsConnector.builder().trustedCertificates(pki.caPem).protocols(protocol).build();
                try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().enableAll().build()) {
                    TlsStream<TcpStream> tls = rt.blockOn(TcpStream.connect("127.0.0.1:" + server.getLocalPort())
                            .then(s -> connector.connect("127.0.0.1", s)));
                    try (tls) {
                        assertEquals(protocol, tls.session().getProtocol());
                        assertEquals("CN=localhost", ((java.security.cert.X509Certificate) tls.peerCertificates().get(0))
                                .getSubjectX500Principal().getName());
                        assertNull(tls.applicationProtocol());
                        JoinHandle<Void> writer = rt.spawn(tls.writeAll(ByteBuffer.wrap(data)).then(v -> tls.shutdown()));
                        ByteBuffer back = ByteBuffer.allocate(data.length);
                        rt.blockOn(tls.readExact(back));
                        assertArrayEquals(data, back.array());
                        rt.blockOn(writer);
                        assertEquals(-1, rt.blockOn(tls.read(ByteBuffer.allocate(16))), "the server closed cleanly");
                        assertFalse(tls.holdsBuffers(), "an idle TLS stream holds no buffer");
                    }
                }
                echo.join();
            }
        });
    }

    /**
     * A client that sends close_notify and closes its socket at once, without reading what the
     * server sent (the JDK's SSLSocket and OpenSSL both close so), resets the connection. The
     * server's read has seen a clean end all the same: it must return -1, not fail on the
     * close_notify the engine wants to send back.
     */
    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void aClientThatClosesRightAfterItsCloseNotifyEndsTheServersReadCleanly(String protocol) {
        assertTimeoutPreemptively(LIMIT, () -> {
            TestPki pki = TestPki.get();
            TlsAcceptor acceptor = TlsAcceptor.builder().certificateChain(pki.serverChain).privateKey(pki.serverKey)
                    .protocols(protocol).build();
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(2).enableAll().build();
                    TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"))) {
                byte[] unread = random(64 * 1024);
                CompletableFuture<Void> written = new CompletableFuture<>();
                CompletableFuture<Void> clientGone = new CompletableFuture<>();
                JoinHandle<Integer> server = rt.spawn(listener.accept().then(acceptor::accept).then(tls -> Async.using(tls, t ->
                        t.writeAll(ByteBuffer.wrap(unread)).then(v -> t.flush()).map(v -> written.complete(null))
                                .then(v -> Async.fromCompletionStage(clientGone)).then(v -> t.read(ByteBuffer.allocate(16))))));
                int port = listener.localAddress().getPort();
                try (Socket raw = new Socket("127.0.0.1", port)) {
                    // Whatever else the client does when it closes, its socket resets the connection.
                    raw.setSoLinger(true, 0);
                    SSLSocket client = (SSLSocket) pki.clientContext(false).getSocketFactory().createSocket(raw, "localhost", port, true);
                    assertEquals(unread[0], (byte) client.getInputStream().read());
                    written.get(LIMIT.toSeconds(), TimeUnit.SECONDS);
                    // close_notify, then a reset, with most of the data unread.
                    client.close();
                }
                // The server reads only now, with the close_notify and the reset both arrived.
                clientGone.complete(null);
                assertEquals(-1, rt.blockOn(server), "the client's close_notify is a clean end, however it closed after it");
            }
        });
    }
}
