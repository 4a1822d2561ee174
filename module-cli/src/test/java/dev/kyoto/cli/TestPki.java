package dev.kyoto.cli;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates for the tool's TLS tests, made once per test JVM and never checked in, as
 * module-tls's own {@code TestPki} makes them: a CA and a server certificate it signed for
 * {@code localhost} and {@code 127.0.0.1}; and a second, self-made CA with a server certificate
 * of the same names, which nobody trusts. Made with the JDK's {@code keytool} (the JDK has no API
 * to sign certificates) and written as PEM files, the way a user's would be.
 */
final class TestPki {
    private static final String PASS = "kyoto-test";
    private static TestPki instance;

    final Path dir;
    final Path caPem;
    final Path serverChain;
    final Path serverKey;
    final Path strangerChain;
    final Path strangerKey;

    private TestPki(Path dir) throws Exception {
        this.dir = dir;
        caPem = ca("ca");
        serverChain = dir.resolve("server-chain.pem");
        serverKey = dir.resolve("server-key.pem");
        identity("ca", "server", "san=dns:localhost,ip:127.0.0.1", serverChain, serverKey);
        ca("stranger-ca");
        strangerChain = dir.resolve("stranger-chain.pem");
        strangerKey = dir.resolve("stranger-key.pem");
        identity("stranger-ca", "stranger", "san=dns:localhost,ip:127.0.0.1", strangerChain, strangerKey);
    }

    static synchronized TestPki get() throws Exception {
        if (instance == null) {
            Path dir = Files.createTempDirectory("kyoto-cli-pki");
            dir.toFile().deleteOnExit();
            instance = new TestPki(dir);
        }
        return instance;
    }

    /** A client context for the JDK's own sockets, trusting the test CA only. */
    SSLContext clientContext() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            trust.setCertificateEntry("ca", (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private Path ca(String name) throws Exception {
        Path store = dir.resolve(name + ".p12");
        keytool("-genkeypair", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASS, "-alias", name,
                "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=Kyoto test " + name, "-ext", "bc:c", "-validity", "2");
        Path pem = dir.resolve(name + ".pem");
        keytool("-exportcert", "-keystore", store.toString(), "-storepass", PASS, "-alias", name, "-rfc", "-file", pem.toString());
        return pem;
    }

    private void identity(String ca, String name, String ext, Path chainPem, Path keyPem) throws Exception {
        Path store = dir.resolve(name + ".p12");
        keytool("-genkeypair", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASS, "-alias", name,
                "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost", "-validity", "2");
        Path csr = dir.resolve(name + ".csr");
        keytool("-certreq", "-keystore", store.toString(), "-storepass", PASS, "-alias", name, "-file", csr.toString());
        Path crt = dir.resolve(name + ".crt");
        keytool("-gencert", "-keystore", dir.resolve(ca + ".p12").toString(), "-storepass", PASS, "-alias", ca,
                "-infile", csr.toString(), "-outfile", crt.toString(), "-rfc", "-ext", ext, "-validity", "2");
        Files.writeString(chainPem, Files.readString(crt) + Files.readString(dir.resolve(ca + ".pem")));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
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
