/**
 * Kyoto's networking: non-blocking TCP streams and listeners on the runtime's reactor.
 */
module dev.kyoto.net {
    // TcpStream and TcpListener hand out Async values and use PollEvented; users need both modules' types.
    requires transitive dev.kyoto.io;

    exports dev.kyoto.net;
}
