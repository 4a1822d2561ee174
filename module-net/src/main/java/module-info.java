/**
 * Kyoto's networking: non-blocking TCP streams and listeners on the runtime's reactor.
 */
module dev.kyoto.net {
    // TcpStream is an AsyncRead and an AsyncWrite and hands out Async values: users of this module
    // need the io module's and (through it) the runtime's types. This requirement also puts the
    // I/O driver in every application that uses Kyoto's networking.
    requires transitive dev.kyoto.io;

    exports dev.kyoto.net;
}
