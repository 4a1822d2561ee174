package dev.kyoto.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads PEM files: certificates, and unencrypted PKCS#8 private keys. */
final class Pem {
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS", "X25519", "DSA");

    private Pem() {
    }

    /** The certificates in {@code file}, in order; at least one. */
    static List<X509Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
        List<X509Certificate> certs = new ArrayList<>();
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        for (Block b : blocks(file)) {
            if (b.type.equals("CERTIFICATE")) {
                try {
                    certs.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(b.der)));
                } catch (CertificateException e) {
                    throw new CertificateException("certificate " + (certs.size() + 1) + " in " + file + " is not a valid X.509 certificate: "
                            + e.getMessage(), e);
                }
            }
        }
        if (certs.isEmpty()) {
            throw new CertificateException(file + " holds no PEM certificate (\"-----BEGIN CERTIFICATE-----\")");
        }
        return certs;
    }

    /** The one private key in {@code file}, which must be unencrypted PKCS#8. */
    static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        for (Block b : blocks(file)) {
            switch (b.type) {
                case "PRIVATE KEY" -> {
                    return pkcs8(file, b.der);
                }
                case "RSA PRIVATE KEY", "EC PRIVATE KEY" -> throw new InvalidKeySpecException(file + " holds a " + b.type
                        + " (PKCS#1 or SEC 1); Kyoto reads PKCS#8 keys: convert it with `openssl pkcs8 -topk8 -nocrypt -in "
                        + file + " -out key.pem`");
                case "ENCRYPTED PRIVATE KEY" -> throw new InvalidKeySpecException(file + " holds an encrypted key; decrypt it to PKCS#8 with "
                        + "`openssl pkcs8 -in " + file + " -out key.pem`, or build an SSLContext from a key store yourself");
                default -> {
                    // Not a key: keep looking.
                }
            }
        }
        throw new InvalidKeySpecException(file + " holds no PEM private key (\"-----BEGIN PRIVATE KEY-----\")");
    }

    private static PrivateKey pkcs8(Path file, byte[] der) throws InvalidKeySpecException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException | RuntimeException wrongAlgorithm) {
                // Try the next: PKCS#8 names its algorithm by OID, which KeyFactory does not map for us.
            }
        }
        throw new InvalidKeySpecException("the private key in " + file + " is not an RSA, EC, EdDSA or DSA key in PKCS#8 form");
    }

    private static List<Block> blocks(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        List<Block> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            try {
                blocks.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
            } catch (IllegalArgumentException e) {
                throw new IOException("a PEM block (" + m.group(1) + ") in " + file + " is not valid Base64: " + e.getMessage(), e);
            }
        }
        return blocks;
    }

    private record Block(String type, byte[] der) {
    }
}
