/**
 * TLS over any Kyoto stream: {@link dev.kyoto.tls.TlsAcceptor} and {@link dev.kyoto.tls.TlsConnector}
 * drive the JDK's {@link javax.net.ssl.SSLEngine} over an {@link dev.kyoto.io.AsyncRead} and
 * {@link dev.kyoto.io.AsyncWrite}, and hand back a {@link dev.kyoto.tls.TlsStream} that is one
 * too. The cryptography is the JDK's; this module adds only the non-blocking driving.
 *
 * <p>A module of its own, so that an application that does not use TLS links none of it.
 */
module dev.kyoto.tls {
    // TlsStream is an AsyncRead and an AsyncWrite and returns Async computations: users get both modules.
    requires transitive dev.kyoto.io;

    exports dev.kyoto.tls;
}
