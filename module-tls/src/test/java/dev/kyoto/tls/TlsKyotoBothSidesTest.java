package dev.kyoto.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.io.Io;
import dev.kyoto.net.TcpListener;
import dev.kyoto.net.TcpStream;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Kyoto on both sides: data both ways at once, ALPN, client certificates, clean and cut ends, and handshakes that fail. */
class TlsKyotoBothSidesTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);

    private static void within(Executable body) {
        assertTimeoutPreemptively(LIMIT, body);
    }

    private static KyotoRuntime runtime() {
        return KyotoRuntime.builder().multiThread().workerThreads(2).enableAll().build();
    }

    /** Accepts one connection with {@code acceptor} and runs {@code handler} on the TLS stream. */
    private static <T> JoinHandle<T> serveOnce(KyotoRuntime rt, TcpListener listener, TlsAcceptor acceptor,
            Function<TlsStream<TcpStream>, Async<T>> handler) {
        return rt.spawn(listener.accept().then(acceptor::accept).then(t -> Async.using(t, handler::apply)));
    }

    /**
     * Accepts one connection whose handshake is expected to fail: the failure is the task's
     * result, so the runtime does not log it as a failure nobody waited for.
     */
    private static JoinHandle<Throwable> handshakeFailureOf(KyotoRuntime rt, TcpListener listener, TlsAcceptor acceptor) {
        return rt.spawn(listener.accept().then(acceptor::accept).map(t -> {
            t.close();
            return (Throwable) null;
        }).recover(e -> e));
    }

    private static Throwable failureOf(KyotoRuntime rt, Async<?> a) {
        Exception e = assertThrows(Exception.class, () -> rt.blockOn(a));
        return e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    }

    @Test
    void aReaderTaskAndAWriterTaskShareOneStream() {
        within(() -> {
            TestPki pki = TestPki.get();
            TlsAcceptor acceptor = TlsAcceptor.builder().certificateChain(pki.serverChain).privateKey(pki.serverKey).build();
            TlsConnector connector = TlsConnector.builder().trustedCertificates(pki.caPem).build();
            try (KyotoRuntime rt = runtime(); TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"))) {
                for (int round = 0; round < 5; round++) {
                    byte[] data = new byte[4 << 20];
                    new Random(round).nextBytes(data);
                    JoinHandle<Long> server = serveOnce(rt, listener, acceptor, t -> Io.copy(t, t).then(n -> t.shutdown().map(v -> n)));
                    TlsStream<TcpStream> tls = rt.blockOn(TcpStream.connect(listener.localAddress())
                            .then(s -> connector.connect("localhost", s)));
                    try (tls) {
                        JoinHandle<Void> writer = rt.spawn(tls.writeAll(ByteBuffer.wrap(data)).then(v -> tls.shutdown()));
                        ByteBuffer back = ByteBuffer.allocate(data.length);
                        JoinHandle<Void> reader = rt.spawn(tls.readExact(back));
                        rt.blockOn(writer);
                        rt.blockOn(reader);
                        assertArrayEquals(data, back.array(), "round " + round);
                        assertEquals(-1, rt.blockOn(tls.read(ByteBuffer.allocate(1))));
                    }
                    assertEquals((long) data.length, rt.blockOn(server));
                }
            }
        });
    }

    @Test
    void alpnAndAClientCertificate() {
        within(() -> {
            TestPki pki = TestPki.get();
            TlsAcceptor acceptor = TlsAcceptor.builder().certificateChain(pki.serverChain).privateKey(pki.serverKey)
                    .applicationProtocols("h2", "http/1.1").clientAuth(TlsAcceptor.ClientAuth.REQUIRED, pki.caPem).build();
            TlsConnector connector = TlsConnector.builder().trustedCertificates(pki.caPem).identity(pki.clientChain, pki.clientKey)
                    .applicationProtocols("http/1.1").build();
            try (KyotoRuntime rt = runtime(); TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"))) {
                JoinHandle<String> server = serveOnce(rt, listener, acceptor, t -> Async.ready(t.applicationProtocol() + " "
                        + ((java.security.cert.X509Certificate) t.peerCertificates().get(0)).getSubjectX500Principal().getName()));
                TlsStream<TcpStream> tls = rt.blockOn(TcpStream.connect(listener.localAddress()).then(s -> connector.connect("localhost", s)));
                try (tls) {
                    assertEquals("http/1.1", tls.applicationProtocol());
                }
                assertEquals("http/1.1 CN=kyoto-test-client", rt.blockOn(server));

                JoinHandle<Throwable> refusing = handshakeFailureOf(rt, listener, acceptor);
                TlsConnector anonymous = TlsConnector.builder().trustedCertificates(pki.caPem).build();
                Throwable e = failureOf(rt, TcpStream.connect(listener.localAddress()).then(s -> anonymous.connect("localhost", s))
                        .then(t -> t.read(ByteBuffer.allocate(1))));
                assertInstanceOf(javax.net.ssl.SSLException.class, e, e.toString());
                Throwable serverSide = rt.blockOn(refusing);
                assertInstanceOf(SSLHandshakeException.class, serverSide);
                assertTrue(serverSide.getMessage().contains("TLS handshake with client"), serverSide.getMessage());
            }
        });
    }

    @Test
    void aCleanCloseReadsAsEndOfStreamAndACutOneAsTruncation() {
        within(() -> {
            TestPki pki = TestPki.get();
            TlsAcceptor acceptor = TlsAcceptor.builder().certificateChain(pki.serverChain).privateKey(pki.serverKey).build();
            try (KyotoRuntime rt = runtime(); TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"))) {
                // A JDK client that sends a line and then closes the TCP socket under its TLS socket.
                JoinHandle<Integer> server = serveOnce(rt, listener, acceptor, t -> {
                    ByteBuffer line = ByteBuffer.allocate(6);
                    return t.readExact(line).then(v -> t.read(ByteBuffer.allocate(10)));
                });
                try (Socket raw = new Socket("127.0.0.1", listener.localAddress().getPort())) {
                    SSLSocket client = (SSLSocket) pki.clientContext(false).getSocketFactory().createSocket(raw, "localhost",
                            raw.getPort(), false);
                    client.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                    client.getOutputStream().flush();
                }
                Throwable cut = failureOf(rt, server);
                assertInstanceOf(TlsTruncationException.class, cut);
                assertTrue(cut.getMessage().contains("without a TLS close_notify"), cut.getMessage());

                JoinHandle<Integer> clean = serveOnce(rt, listener, acceptor, t -> t.read(ByteBuffer.allocate(10)));
                try (SSLSocket client = (SSLSocket) pki.clientContext(false).getSocketFactory().createSocket("127.0.0.1",
                        listener.localAddress().getPort())) {
                    client.startHandshake();
                }
                assertEquals(-1, rt.blockOn(clean), "close_notify, then the end: a clean end of stream");
            }
        });
    }

    @Test
    void failedHandshakesSayWhyAndCloseTheSocket() {
        within(() -> {
            TestPki pki = TestPki.get();
            TlsAcceptor acceptor = TlsAcceptor.builder().certificateChain(pki.serverChain).privateKey(pki.serverKey).build();
            TlsAcceptor stranger = TlsAcceptor.builder().certificateChain(pki.strangerChain).privateKey(pki.strangerKey).build();
            TlsAcceptor onlyTls13 = TlsAcceptor.builder().certificateChain(pki.serverChain).privateKey(pki.serverKey).protocols("TLSv1.3").build();
            TlsConnector trusting = TlsConnector.builder().trustedCertificates(pki.caPem).build();
            TlsConnector onlyTls12 = TlsConnector.builder().trustedCertificates(pki.caPem).protocols("TLSv1.2").build();
            try (KyotoRuntime rt = runtime(); TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"))) {
                Throwable wrongName = refused(rt, listener, acceptor, trusting, "wrong.example");
                assertTrue(wrongName.getMessage().contains("wrong.example"), wrongName.getMessage());

                Throwable untrusted = refused(rt, listener, stranger, trusting, "localhost");
                assertTrue(untrusted.getMessage().contains("certification path") || untrusted.getMessage().contains("trust"),
                        untrusted.getMessage());

                Throwable mismatch = refused(rt, listener, onlyTls13, onlyTls12, "localhost");
                assertTrue(mismatch.getMessage().toLowerCase().contains("protocol"), mismatch.getMessage());

                // A peer that speaks something else: an alert, if anything, then the server closes.
                JoinHandle<Throwable> garbage = handshakeFailureOf(rt, listener, acceptor);
                try (Socket s = new Socket("127.0.0.1", listener.localAddress().getPort())) {
                    s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    Throwable notTls = rt.blockOn(garbage);
                    assertInstanceOf(SSLHandshakeException.class, notTls);
                    byte[] reply = s.getInputStream().readAllBytes();
                    assertTrue(reply.length == 0 || reply[0] == 0x15, "a TLS alert record or nothing, then the end of stream");
                }

                // A peer that goes quiet mid-handshake: a timeout around accept closes the socket.
                JoinHandle<Object> stalled = rt.spawn(listener.accept().then(s -> dev.kyoto.runtime.time.Time.timeout(
                        Duration.ofMillis(300), acceptor.accept(s))).map(t -> (Object) t));
                try (Socket s = new Socket("127.0.0.1", listener.localAddress().getPort())) {
                    Throwable timedOut = failureOf(rt, stalled);
                    assertInstanceOf(TimeoutException.class, timedOut, timedOut.toString());
                    assertEquals(-1, s.getInputStream().read(), "the server closed the stalled connection");
                }
            }
        });
    }

    /**
     * A client handshake that {@code server} refuses or that fails on the client: both sides fail
     * with an {@link SSLHandshakeException} and the client's socket is closed.
     *
     * @return the client's failure
     */
    private static Throwable refused(KyotoRuntime rt, TcpListener listener, TlsAcceptor server, TlsConnector client, String name)
            throws Exception {
        JoinHandle<Throwable> serverSide = handshakeFailureOf(rt, listener, server);
        TcpStream socket = rt.blockOn(TcpStream.connect(listener.localAddress()));
        Throwable failure = failureOf(rt, client.connect(name, socket));
        assertInstanceOf(SSLHandshakeException.class, failure);
        assertThrows(IOException.class, () -> socket.tryRead(ByteBuffer.allocate(1)), "the failed handshake closed the client's socket");
        Throwable serverFailure = rt.blockOn(serverSide);
        assertInstanceOf(javax.net.ssl.SSLException.class, serverFailure, serverFailure.toString());
        return failure;
    }

    @Test
    void anIdleConnectionHoldsNoBuffer() {
        within(() -> {
            TestPki pki = TestPki.get();
            TlsAcceptor acceptor = TlsAcceptor.builder().certificateChain(pki.serverChain).privateKey(pki.serverKey).build();
            TlsConnector connector = TlsConnector.builder().trustedCertificates(pki.caPem).build();
            try (KyotoRuntime rt = runtime(); TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"))) {
                JoinHandle<Boolean> server = serveOnce(rt, listener, acceptor, t -> {
                    ByteBuffer ping = ByteBuffer.allocate(4);
                    return t.readExact(ping).then(v -> t.writeAll(ping.flip())).then(v -> t.flush()).map(v -> t.holdsBuffers());
                });
                TlsStream<TcpStream> tls = rt.blockOn(TcpStream.connect(listener.localAddress()).then(s -> connector.connect("localhost", s)));
                try (tls) {
                    rt.blockOn(tls.writeAll(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII))));
                    ByteBuffer pong = ByteBuffer.allocate(4);
                    rt.blockOn(tls.readExact(pong));
                    assertFalse(rt.blockOn(server), "the server's stream, idle after its reply, holds no buffer");
                    assertFalse(tls.holdsBuffers(), "nor does the client's");
                }
            }
        });
    }
}
