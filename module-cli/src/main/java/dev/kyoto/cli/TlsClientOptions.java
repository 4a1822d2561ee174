package dev.kyoto.cli;

import dev.kyoto.tls.TlsConnector;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options of a TLS client ({@code --tls}, {@code --ca}, {@code --insecure},
 * {@code --server-name}), mixed into {@code kyoto connect} and {@code kyoto bench} so that they
 * read and behave the same in both.
 */
final class TlsClientOptions {
    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    @Option(names = "--tls", description = "Speak TLS to the server. The server's certificate must chain to a CA in the "
            + "JDK's trust store (or --ca) and carry the server's name (the HOST connected to, or --server-name).")
    private boolean tls;

    @Option(names = "--ca", paramLabel = "FILE",
            description = "With --tls: trust the CA certificates in this PEM file instead of the JDK's trust store.")
    private Path ca;

    @Option(names = "--insecure",
            description = "With --tls: accept any certificate for any name. The connection is encrypted but NOT "
                    + "authenticated: anyone on the path can read it. For trying out servers with test certificates.")
    private boolean insecure;

    @Option(names = "--server-name", paramLabel = "NAME",
            description = "With --tls: the name the server's certificate must carry, also sent as SNI (default: the HOST "
                    + "connected to).")
    private String serverName;

    /** Whether TLS was asked for. */
    boolean enabled() {
        return tls;
    }

    /** {@code NAME}, the name given with {@code --server-name}, or else {@code host}. */
    String serverName(String host) {
        return serverName != null ? serverName : host;
    }

    /**
     * Builds the client side of TLS, warning on {@code err} if it does not authenticate the server.
     *
     * @param name the command, for example {@code kyoto connect}, that starts the warning line
     * @return the connector, or null for plain TCP
     * @throws ParameterException if a TLS option was given without {@code --tls}, {@code --ca}
     *     with {@code --insecure}, or the {@code --ca} file cannot be used
     */
    TlsConnector connector(PrintWriter err, String name) {
        if (!tls) {
            String stray = ca != null ? "--ca" : insecure ? "--insecure" : serverName != null ? "--server-name" : null;
            if (stray != null) {
                throw new ParameterException(command.commandLine(), stray + " applies to TLS only: add --tls");
            }
            return null;
        }
        if (insecure && ca != null) {
            throw new ParameterException(command.commandLine(),
                    "--insecure and --ca exclude each other: --insecure trusts every certificate, --ca only those of its CAs");
        }
        TlsConnector.Builder builder = TlsConnector.builder();
        if (insecure) {
            builder.trustAnyCertificateInsecurely();
        } else if (ca != null) {
            builder.trustedCertificates(ca);
        }
        TlsConnector connector;
        try {
            connector = builder.build();
        } catch (IOException | GeneralSecurityException e) {
            throw new ParameterException(command.commandLine(), "--ca " + ca + ": " + TlsFailures.describeFile(e), e);
        }
        if (insecure) {
            err.println(name + ": warning: --insecure: the server's certificate is not checked; the connection is encrypted "
                    + "but not authenticated, and anyone on the path can read or change it");
            err.flush();
        }
        return connector;
    }
}
