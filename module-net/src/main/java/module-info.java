/**
 * Kyoto's networking on the runtime's reactor: TCP streams, listeners and sockets with their
 * options, a Happy Eyeballs connector, UDP sockets, Unix-domain streams and listeners, and name
 * resolution on the blocking pool.
 */
module dev.kyoto.net {
    // TcpStream is an AsyncRead and an AsyncWrite and hands out Async values: users of this module
    // need the io module's and (through it) the runtime's types. This requirement also puts the
    // I/O driver in every application that uses Kyoto's networking.
    requires transitive dev.kyoto.io;

    exports dev.kyoto.net;
}
