package dev.kyoto.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * What the builders of {@link TlsAcceptor} and {@link TlsConnector} share: where the identity
 * and the trust come from, and the engine's parameters.
 */
final class TlsSettings {
    Path certificateChain;
    Path privateKey;
    Path trustedCertificates;
    TrustManager[] trustManagers;
    String[] protocols;
    String[] cipherSuites;
    String[] applicationProtocols;
    boolean verifyHostname = true;

    /** Builds the context: the key managers from the PEM identity, the trust from the PEM CA file (or the JDK's). */
    SSLContext context(boolean identityRequired, String who) throws IOException, GeneralSecurityException {
        if ((certificateChain == null) != (privateKey == null)) {
            throw new IllegalStateException(who + ": give both certificateChain and privateKey, or neither");
        }
        if (identityRequired && certificateChain == null) {
            throw new IllegalStateException(who + " needs its certificate chain and private key: call certificateChain(Path) and privateKey(Path)"
                    + " with PEM files, or use " + who + ".of(SSLContext)");
        }
        KeyManagerFactory kmf = null;
        if (certificateChain != null) {
            List<X509Certificate> chain = Pem.certificates(certificateChain);
            PrivateKey key = Pem.privateKey(privateKey);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] none = new char[0];
            store.setKeyEntry("identity", key, none, chain.toArray(X509Certificate[]::new));
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, none);
        }
        TrustManager[] trust = trustManagers;
        if (trust == null && trustedCertificates != null) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (X509Certificate ca : Pem.certificates(trustedCertificates)) {
                store.setCertificateEntry("ca-" + i++, ca);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            trust = tmf.getTrustManagers();
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), trust, null);
        return ctx;
    }

    /** Sets what was configured on the engine's parameters, leaving the rest at the context's defaults. */
    void apply(SSLEngine engine, SSLParameters params) {
        if (protocols != null) {
            params.setProtocols(protocols);
        }
        if (cipherSuites != null) {
            params.setCipherSuites(cipherSuites);
        }
        if (applicationProtocols != null) {
            params.setApplicationProtocols(applicationProtocols);
        }
    }

    static String[] copy(String what, String... values) {
        Objects.requireNonNull(values, what);
        if (values.length == 0) {
            throw new IllegalArgumentException(what + " is empty: name at least one, or leave the default");
        }
        for (String v : values) {
            Objects.requireNonNull(v, what);
        }
        return values.clone();
    }
}
