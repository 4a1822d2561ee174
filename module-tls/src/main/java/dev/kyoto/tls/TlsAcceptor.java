package dev.kyoto.tls;

import dev.kyoto.io.AsyncRead;
import dev.kyoto.io.AsyncWrite;
import dev.kyoto.runtime.Async;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * The server side of TLS: turns each accepted stream into a {@link TlsStream} once the handshake
 * is done. Make one per server and share it: it holds the context, not a connection.
 *
 * <pre>{@code
 * TlsAcceptor tls = TlsAcceptor.builder()
 *         .certificateChain(Path.of("chain.pem"))     // PEM, the server's certificate first
 *         .privateKey(Path.of("key.pem"))             // PEM, unencrypted PKCS#8
 *         .applicationProtocols("h2", "http/1.1")     // ALPN, optional
 *         .build();
 * Async<Long> echo(TcpStream socket) {
 *     return Time.timeout(Duration.ofSeconds(10), tls.accept(socket))
 *             .then(s -> Async.using(s, t -> Io.copy(t, t)));
 * }
 * }</pre>
 *
 * <p>A handshake that fails (the client distrusts the certificate, offers no protocol in common,
 * sends something that is not TLS, or goes away) fails the {@code accept} with an
 * {@link javax.net.ssl.SSLHandshakeException} naming the cause, after a best-effort alert to the
 * client; one that is cancelled (by a timeout around it) stops. Either way the accepted stream is
 * closed.
 */
public final class TlsAcceptor {
    /** Whether a server asks its clients for a certificate. */
    public enum ClientAuth {
        /** It does not ask. */
        NONE,
        /** It asks, and accepts a client that sends none; a certificate that is sent must be trusted. */
        REQUESTED,
        /** It asks, and refuses a client that sends none or an untrusted one. */
        REQUIRED
    }

    private final SSLContext context;
    private final TlsSettings settings;
    private final ClientAuth clientAuth;

    private TlsAcceptor(SSLContext context, TlsSettings settings, ClientAuth clientAuth) {
        this.context = context;
        this.settings = settings;
        this.clientAuth = clientAuth;
    }

    /**
     * An acceptor for a context made elsewhere (a key store, a hardware token, a reloading key
     * manager), with the context's default protocols and cipher suites.
     *
     * @param context an initialised context with the server's key
     * @return the acceptor
     */
    public static TlsAcceptor of(SSLContext context) {
        return new TlsAcceptor(Objects.requireNonNull(context, "context"), new TlsSettings(), ClientAuth.NONE);
    }

    /** {@return a builder for an acceptor with a key and certificates from PEM files} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs the server's side of the handshake over {@code stream}.
     *
     * @param stream an accepted connection; from now on use it only through the returned stream
     * @param <S> the stream's type, such as {@code TcpStream}
     * @return a computation that completes with the TLS stream once the handshake is done; on
     *         failure or cancellation {@code stream} is closed
     */
    public <S extends AsyncRead & AsyncWrite> Async<TlsStream<S>> accept(S stream) {
        Objects.requireNonNull(stream, "stream");
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        SSLParameters params = engine.getSSLParameters();
        settings.apply(engine, params);
        switch (clientAuth) {
            case REQUESTED -> params.setWantClientAuth(true);
            case REQUIRED -> params.setNeedClientAuth(true);
            case NONE -> {
                // The context's default: no request.
            }
        }
        engine.setSSLParameters(params);
        TlsStream<S> tls = new TlsStream<>(stream, engine);
        try {
            engine.beginHandshake();
        } catch (IOException e) {
            tls.abort(null);
            return Async.failed(e);
        }
        return new TlsHandshake<>(tls, "client " + stream);
    }

    @Override
    public String toString() {
        return "TlsAcceptor[" + context.getProtocol() + ", client auth " + clientAuth + "]";
    }

    /** Configures a {@link TlsAcceptor}: the identity is required, the rest has defaults. */
    public static final class Builder {
        private final TlsSettings settings = new TlsSettings();
        private ClientAuth clientAuth = ClientAuth.NONE;

        private Builder() {
        }

        /**
         * @param pem a PEM file of the server's certificate, then the intermediates
         * @return this builder
         */
        public Builder certificateChain(Path pem) {
            settings.certificateChain = Objects.requireNonNull(pem, "pem");
            return this;
        }

        /**
         * @param pem a PEM file of the server's private key, unencrypted PKCS#8
         *            ({@code -----BEGIN PRIVATE KEY-----})
         * @return this builder
         */
        public Builder privateKey(Path pem) {
            settings.privateKey = Objects.requireNonNull(pem, "pem");
            return this;
        }

        /**
         * Asks clients for a certificate.
         *
         * @param mode whether to ask, and whether a client without one is refused
         * @param trustedCas a PEM file of the CA certificates client certificates must chain to
         * @return this builder
         */
        public Builder clientAuth(ClientAuth mode, Path trustedCas) {
            this.clientAuth = Objects.requireNonNull(mode, "mode");
            settings.trustedCertificates = mode == ClientAuth.NONE ? null : Objects.requireNonNull(trustedCas, "trustedCas");
            return this;
        }

        /**
         * @param protocols the TLS versions to allow, such as {@code "TLSv1.3"}; default: the JDK's
         * @return this builder
         */
        public Builder protocols(String... protocols) {
            settings.protocols = TlsSettings.copy("protocols", protocols);
            return this;
        }

        /**
         * @param suites the cipher suites to allow, such as {@code "TLS_AES_128_GCM_SHA256"}; default: the JDK's
         * @return this builder
         */
        public Builder cipherSuites(String... suites) {
            settings.cipherSuites = TlsSettings.copy("cipherSuites", suites);
            return this;
        }

        /**
         * @param protocols the ALPN protocols to offer, in order of preference, such as {@code "h2"}
         * @return this builder
         */
        public Builder applicationProtocols(String... protocols) {
            settings.applicationProtocols = TlsSettings.copy("applicationProtocols", protocols);
            return this;
        }

        /**
         * Reads the files and builds the acceptor.
         *
         * @return the acceptor
         * @throws IOException if a file cannot be read
         * @throws GeneralSecurityException if a file is not a valid certificate or key; the
         *         message names the file and the fix
         * @throws IllegalStateException if the certificate chain or the key is missing
         */
        public TlsAcceptor build() throws IOException, GeneralSecurityException {
            return new TlsAcceptor(settings.context(true, "TlsAcceptor"), settings, clientAuth);
        }
    }
}
