/**
 * Kyoto's framing: turning a byte stream into a stream of messages and back, as
 * {@code tokio-util}'s codecs do. {@link dev.kyoto.codec.Framed} reads and writes frames over any
 * {@link dev.kyoto.io.AsyncRead} and {@link dev.kyoto.io.AsyncWrite}; a protocol supplies its
 * {@link dev.kyoto.codec.Decoder} and {@link dev.kyoto.codec.Encoder}, or uses one of the codecs
 * here (length-delimited, lines, any delimiter).
 *
 * <p>A module of its own, so that an application that speaks raw bytes (a proxy, an echo server)
 * links none of it.
 */
module dev.kyoto.codec {
    // Framed is built on AsyncRead/AsyncWrite and returns Async computations: users get both modules.
    requires transitive dev.kyoto.io;

    exports dev.kyoto.codec;
}
