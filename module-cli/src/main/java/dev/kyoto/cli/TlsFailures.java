package dev.kyoto.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;

/**
 * Turns TLS failures into the text of a one-line report, with the option that fixes them where
 * the cause is known: the JDK's own words name the cause but not the tool's way out.
 */
final class TlsFailures {
    private TlsFailures() {
    }

    /** A certificate or key file that could not be used. */
    static String describeFile(Exception e) {
        if (e instanceof NoSuchFileException missing) {
            return "no such file: " + missing.getFile();
        }
        if (e instanceof AccessDeniedException denied) {
            return "cannot read " + denied.getFile() + ": permission denied";
        }
        return Failures.describe(e);
    }

    /**
     * A client's failed handshake: the failure, and a hint when the server's certificate was
     * not trusted or does not carry the name asked for.
     */
    static String describeHandshake(Throwable e) {
        String text = Failures.describe(e);
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof CertPathBuilderException || c instanceof CertPathValidatorException) {
                return text + " (the server's certificate does not chain to a trusted CA: give its CA with --ca FILE, "
                        + "or skip the check with --insecure)";
            }
            String m = c.getMessage();
            if (m != null && (m.contains("No subject alternative") || m.contains("No name matching"))) {
                return text + " (the server's certificate is not for that name: give the name it carries with --server-name NAME)";
            }
        }
        return text;
    }
}
