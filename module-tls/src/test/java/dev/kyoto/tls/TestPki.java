package dev.kyoto.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * Certificates made for the tests, never checked in: a CA, a server certificate for
 * {@code localhost}, {@code 127.0.0.1} and {@code ::1}, and a client certificate, each signed by
 * the CA; and a second, unrelated CA with its own server certificate, which nobody trusts. Made
 * once per test JVM with the JDK's {@code keytool} (the JDK has no API to sign certificates), and
 * written as PEM files the way a user's would be.
 */
final class TestPki {
    private static final String PASS = "kyoto-test";
    private static TestPki instance;

    final Path dir;
    final Path caPem;
    final Path serverChain;
    final Path serverKey;
    final Path clientChain;
    final Path clientKey;
    final Path strangerChain;
    final Path strangerKey;

    private TestPki(Path dir) throws Exception {
        this.dir = dir;
        caPem = ca("ca");
        serverChain = dir.resolve("server-chain.pem");
        serverKey = dir.resolve("server-key.pem");
        identity("ca", "server", "CN=localhost", "san=dns:localhost,ip:127.0.0.1,ip:0:0:0:0:0:0:0:1", serverChain, serverKey);
        clientChain = dir.resolve("client-chain.pem");
        clientKey = dir.resolve("client-key.pem");
        identity("ca", "client", "CN=kyoto-test-client", "eku=clientAuth", clientChain, clientKey);
        ca("stranger-ca");
        strangerChain = dir.resolve("stranger-chain.pem");
        strangerKey = dir.resolve("stranger-key.pem");
        identity("stranger-ca", "stranger", "CN=localhost", "san=dns:localhost,ip:127.0.0.1", strangerChain, strangerKey);
    }

    static synchronized TestPki get() throws Exception {
        if (instance == null) {
            Path dir = Files.createTempDirectory("kyoto-tls-pki");
            dir.toFile().deleteOnExit();
            instance = new TestPki(dir);
        }
        return instance;
    }

    /** A server context with the trusted server identity, as a user's own context would be made. */
    SSLContext serverContext() throws IOException, GeneralSecurityException {
        TlsSettings s = new TlsSettings();
        s.certificateChain = serverChain;
        s.privateKey = serverKey;
        return s.context(true, "test server");
    }

    /** A client context trusting the test CA, with the client identity if asked. */
    SSLContext clientContext(boolean withIdentity) throws IOException, GeneralSecurityException {
        TlsSettings s = new TlsSettings();
        s.trustedCertificates = caPem;
        if (withIdentity) {
            s.certificateChain = clientChain;
            s.privateKey = clientKey;
        }
        return s.context(false, "test client");
    }

    /** A server context that also trusts the CA, for client authentication. */
    SSLContext serverContextTrustingClients() throws IOException, GeneralSecurityException {
        TlsSettings s = new TlsSettings();
        s.certificateChain = serverChain;
        s.privateKey = serverKey;
        s.trustedCertificates = caPem;
        return s.context(true, "test server");
    }

    private Path ca(String name) throws Exception {
        Path store = dir.resolve(name + ".p12");
        keytool("-genkeypair", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASS, "-alias", name,
                "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=Kyoto test " + name, "-ext", "bc:c", "-validity", "2");
        Path pem = dir.resolve(name + ".pem");
        keytool("-exportcert", "-keystore", store.toString(), "-storepass", PASS, "-alias", name, "-rfc", "-file", pem.toString());
        return pem;
    }

    private void identity(String ca, String name, String dname, String ext, Path chainPem, Path keyPem) throws Exception {
        Path store = dir.resolve(name + ".p12");
        keytool("-genkeypair", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASS, "-alias", name,
                "-keyalg", "EC", "-groupname", "secp256r1", "-dname", dname, "-validity", "2");
        Path csr = dir.resolve(name + ".csr");
        keytool("-certreq", "-keystore", store.toString(), "-storepass", PASS, "-alias", name, "-file", csr.toString());
        Path crt = dir.resolve(name + ".crt");
        keytool("-gencert", "-keystore", dir.resolve(ca + ".p12").toString(), "-storepass", PASS, "-alias", ca,
                "-infile", csr.toString(), "-outfile", crt.toString(), "-rfc", "-ext", ext, "-validity", "2");
        Files.writeString(chainPem, Files.readString(crt) + Files.readString(dir.resolve(ca + ".pem")));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(store)) {
            ks.load(in, PASS.toCharArray());
        }
        PrivateKey key = (PrivateKey) ks.getKey(name, PASS.toCharArray());
        Files.writeString(keyPem, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
    }

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + out);
        }
    }
}
