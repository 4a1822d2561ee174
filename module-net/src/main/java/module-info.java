/**
 * Kyoto's networking: non-blocking TCP streams and listeners on the runtime's reactor.
 */
module dev.kyoto.net {
    // TcpStream and TcpListener hand out Async values: users of this module need the runtime's types.
    requires transitive dev.kyoto.runtime;
    // The sockets are built on PollEvented, and this requirement also puts the I/O driver in every
    // application that uses Kyoto's networking; no io type appears in this module's API.
    requires dev.kyoto.io;

    exports dev.kyoto.net;
}
