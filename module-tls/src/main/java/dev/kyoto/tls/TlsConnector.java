package dev.kyoto.tls;

import dev.kyoto.io.AsyncRead;
import dev.kyoto.io.AsyncWrite;
import dev.kyoto.runtime.Async;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The client side of TLS: turns a connected stream into a {@link TlsStream} once the handshake
 * is done, having checked that the server's certificate is trusted and names the server. Make one
 * and share it.
 *
 * <pre>{@code
 * TlsConnector tls = TlsConnector.builder().trustedCertificates(Path.of("ca.pem")).build();
 * Async<TlsStream<TcpStream>> connect() {
 *     return TcpStream.connect("example.internal:443")
 *             .then(socket -> tls.connect("example.internal", socket));
 * }
 * }</pre>
 *
 * <p>The server's certificate must chain to a trusted CA (the JDK's default trust store, or the
 * given PEM file) and carry {@code serverName} in its subject alternative names: a DNS name, or an
 * IP address when {@code serverName} is one. A DNS name is also sent as SNI. A handshake that
 * fails, for those reasons or others, fails the {@code connect} with an
 * {@link javax.net.ssl.SSLHandshakeException} that says why, and closes the stream; so does
 * cancelling it.
 */
public final class TlsConnector {
    private final SSLContext context;
    private final TlsSettings settings;

    private TlsConnector(SSLContext context, TlsSettings settings) {
        this.context = context;
        this.settings = settings;
    }

    /**
     * A connector for a context made elsewhere, checking the server's name as HTTPS does.
     *
     * @param context an initialised context whose trust managers decide which servers are trusted
     * @return the connector
     */
    public static TlsConnector of(SSLContext context) {
        return new TlsConnector(Objects.requireNonNull(context, "context"), new TlsSettings());
    }

    /** {@return a builder for a connector with trust and, optionally, a client identity from PEM files} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs the client's side of the handshake over {@code stream}.
     *
     * @param serverName the name the server's certificate must carry: the host name connected to,
     *                   or its IP address as text
     * @param stream a connected stream; from now on use it only through the returned stream
     * @param <S> the stream's type, such as {@code TcpStream}
     * @return a computation that completes with the TLS stream once the handshake is done; on
     *         failure or cancellation {@code stream} is closed
     */
    public <S extends AsyncRead & AsyncWrite> Async<TlsStream<S>> connect(String serverName, S stream) {
        Objects.requireNonNull(serverName, "serverName");
        Objects.requireNonNull(stream, "stream");
        SSLEngine engine = context.createSSLEngine(serverName, -1);
        engine.setUseClientMode(true);
        SSLParameters params = engine.getSSLParameters();
        settings.apply(engine, params);
        if (settings.verifyHostname) {
            params.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (!isIpLiteral(serverName)) {
            params.setServerNames(List.of(new SNIHostName(serverName)));
        }
        engine.setSSLParameters(params);
        TlsStream<S> tls = new TlsStream<>(stream, engine);
        try {
            engine.beginHandshake();
        } catch (IOException e) {
            tls.abort(null);
            return Async.failed(e);
        }
        return new TlsHandshake<>(tls, "server " + serverName + " (" + stream + ")");
    }

    @Override
    public String toString() {
        return "TlsConnector[" + context.getProtocol() + (settings.verifyHostname ? "" : ", NOT verifying the server") + "]";
    }

    private static boolean isIpLiteral(String name) {
        return name.indexOf(':') >= 0 || name.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }

    /** Configures a {@link TlsConnector}: everything has a default (the JDK's trust store). */
    public static final class Builder {
        private final TlsSettings settings = new TlsSettings();

        private Builder() {
        }

        /**
         * @param pem a PEM file of the CA certificates to trust instead of the JDK's default trust store
         * @return this builder
         */
        public Builder trustedCertificates(Path pem) {
            settings.trustedCertificates = Objects.requireNonNull(pem, "pem");
            return this;
        }

        /**
         * Trusts any certificate for any name: the connection is encrypted but not authenticated,
         * so anyone on the path can read it. For tests and for {@code kyoto connect --insecure}
         * only.
         *
         * @return this builder
         */
        public Builder trustAnyCertificateInsecurely() {
            settings.trustManagers = new TrustManager[] {new TrustAnything()};
            settings.verifyHostname = false;
            return this;
        }

        /**
         * A client certificate, for servers that ask for one.
         *
         * @param chain a PEM file of the client's certificate, then the intermediates
         * @param key a PEM file of its private key, unencrypted PKCS#8
         * @return this builder
         */
        public Builder identity(Path chain, Path key) {
            settings.certificateChain = Objects.requireNonNull(chain, "chain");
            settings.privateKey = Objects.requireNonNull(key, "key");
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
         * @param suites the cipher suites to allow; default: the JDK's
         * @return this builder
         */
        public Builder cipherSuites(String... suites) {
            settings.cipherSuites = TlsSettings.copy("cipherSuites", suites);
            return this;
        }

        /**
         * @param protocols the ALPN protocols to offer, in order of preference
         * @return this builder
         */
        public Builder applicationProtocols(String... protocols) {
            settings.applicationProtocols = TlsSettings.copy("applicationProtocols", protocols);
            return this;
        }

        /**
         * Reads the files and builds the connector.
         *
         * @return the connector
         * @throws IOException if a file cannot be read
         * @throws GeneralSecurityException if a file is not a valid certificate or key
         */
        public TlsConnector build() throws IOException, GeneralSecurityException {
            return new TlsConnector(settings.context(false, "TlsConnector"), settings);
        }
    }

    /** Trusts every chain: {@link Builder#trustAnyCertificateInsecurely()}. */
    private static final class TrustAnything implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
