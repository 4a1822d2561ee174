package dev.kyoto.cli;

import dev.kyoto.tls.TlsAcceptor;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options that put an echo server behind TLS ({@code --tls-cert}, {@code --tls-key}), mixed
 * into {@code kyoto echo-server} and {@code kyoto bench} (for its own server). Both or neither:
 * a server needs its certificate and the key that goes with it.
 */
final class TlsServerOptions {
    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "Serve TLS with this certificate chain: a PEM file, the server's certificate first, then the "
                    + "intermediates. Needs --tls-key.")
    private Path certificateChain;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "The private key of --tls-cert: a PEM file, unencrypted PKCS#8 (BEGIN PRIVATE KEY).")
    private Path privateKey;

    @Option(names = "--tls-handshake-timeout", paramLabel = "TIME", defaultValue = "10s", converter = DurationConverter.class,
            description = "With --tls-cert: how long a client has to finish its TLS handshake before the server closes "
                    + "the connection (default: ${DEFAULT-VALUE}).")
    private Duration handshakeTimeout;

    /** Whether TLS was asked for. */
    boolean enabled() {
        return certificateChain != null || privateKey != null;
    }

    /**
     * {@return how long a client has to finish its handshake}
     *
     * @throws ParameterException if it is zero
     */
    Duration handshakeTimeout() {
        if (handshakeTimeout.isZero()) {
            throw new ParameterException(command.commandLine(), "--tls-handshake-timeout must be longer than 0");
        }
        return handshakeTimeout;
    }

    /**
     * Reads the certificate and key.
     *
     * @return the acceptor, or null if neither option was given
     * @throws ParameterException if only one was given, or a file cannot be read or is not a
     *     valid certificate chain or key: the user's input, so a usage error that names the file
     */
    TlsAcceptor acceptor() {
        if (!enabled()) {
            return null;
        }
        if (certificateChain == null || privateKey == null) {
            throw new ParameterException(command.commandLine(), (certificateChain == null ? "--tls-key" : "--tls-cert")
                    + " needs " + (certificateChain == null ? "--tls-cert" : "--tls-key")
                    + ": give the certificate chain and its private key together, or neither for plain TCP");
        }
        try {
            return TlsAcceptor.builder().certificateChain(certificateChain).privateKey(privateKey).build();
        } catch (IOException | GeneralSecurityException e) {
            throw new ParameterException(command.commandLine(), "--tls-cert " + certificateChain + " --tls-key " + privateKey
                    + ": " + TlsFailures.describeFile(e), e);
        }
    }
}
