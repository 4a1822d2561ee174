/**
 * Kyoto's command-line tool: small network diagnostics ({@code kyoto connect},
 * {@code kyoto echo-server}, each over TCP or TLS) and a loopback echo benchmark
 * ({@code kyoto bench}), written on Kyoto's own runtime.
 */
module dev.kyoto.cli {
    requires dev.kyoto.net;
    // echo-server --tls-cert, connect --tls and bench --tls.
    requires dev.kyoto.tls;
    requires info.picocli;
    // sun.misc.Signal: a second SIGTERM or SIGINT must end a graceful shutdown at once, which the
    // JVM's shutdown hooks cannot see (StopSignals, docs/design-notes.md).
    requires jdk.unsupported;

    // picocli instantiates the command, mixin and converter classes and injects their @Option
    // fields by reflection.
    opens dev.kyoto.cli to info.picocli;
}
