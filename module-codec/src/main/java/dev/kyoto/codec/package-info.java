/**
 * Framing: reading and writing a protocol's messages over Kyoto's byte streams, as
 * {@code tokio-util}'s {@code codec} module does.
 *
 * <ul>
 *   <li>{@link dev.kyoto.codec.Decoder} and {@link dev.kyoto.codec.Encoder} (together a
 *       {@link dev.kyoto.codec.Codec}) are a protocol's two halves: decode a frame from the
 *       bytes buffered, or ask for more; append a frame's bytes to a
 *       {@link dev.kyoto.codec.WriteBuffer}.</li>
 *   <li>{@link dev.kyoto.codec.Framed} reads and writes frames over a stream, batching the
 *       replies to pipelined requests into one write; {@link dev.kyoto.codec.FramedRead} and
 *       {@link dev.kyoto.codec.FramedWrite} are its halves.</li>
 *   <li>Codecs for common framings: {@link dev.kyoto.codec.LengthDelimitedCodec},
 *       {@link dev.kyoto.codec.LinesCodec}, {@link dev.kyoto.codec.AnyDelimiterCodec}.</li>
 * </ul>
 */
package dev.kyoto.codec;
