package dev.kyoto.codec;

/**
 * A decoder and an encoder for the same frame type: what {@link Framed} needs to speak a protocol
 * both ways. Every codec in this package is one.
 *
 * @param <T> the frame's type
 */
public interface Codec<T> extends Decoder<T>, Encoder<T> {
}
