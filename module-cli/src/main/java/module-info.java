/**
 * Kyoto's command-line tool: small network diagnostics ({@code kyoto connect},
 * {@code kyoto echo-server}) written on Kyoto's own runtime.
 */
module dev.kyoto.cli {
    requires dev.kyoto.net;
    requires info.picocli;

    // picocli instantiates the command classes and injects their @Option fields by reflection.
    opens dev.kyoto.cli to info.picocli;
}
