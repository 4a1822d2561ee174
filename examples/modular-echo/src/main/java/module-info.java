/**
 * An echo server on Kyoto. One line is all Kyoto needs: {@code dev.kyoto.net} brings the runtime
 * (transitively, since its API returns the runtime's types) and resolves the I/O driver module,
 * which reaches the runtime through {@code ServiceLoader}.
 */
module dev.kyoto.examples.echo {
    requires dev.kyoto.net;
}
