package dev.kyoto.codec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Frames that start with their length: {@code tokio-util}'s {@code LengthDelimitedCodec}, Netty's
 * {@code LengthFieldBasedFrameDecoder}. The default is a four-byte big-endian length, then that
 * many bytes:
 *
 * <pre>{@code
 * Framed<ByteBuffer> framed = Framed.of(socket, LengthDelimitedCodec.builder().build());
 * rt.blockOn(framed.send(ByteBuffer.wrap("hello".getBytes(UTF_8))));   // 00 00 00 05 h e l l o
 * }</pre>
 *
 * <h2>The header</h2>
 * A frame is a header of {@code lengthFieldOffset + lengthFieldLength} bytes, then a payload. The
 * length field, read as an unsigned integer in the given byte order, plus
 * {@code lengthAdjustment}, is the payload's length: a protocol whose length counts its header
 * too uses a negative adjustment; one with more header after the length field, a positive one.
 * The decoder hands out each frame without its first {@code numSkip} bytes: by default the whole
 * header, so the frame is the payload; {@code numSkip(0)} keeps the header.
 *
 * <pre>{@code
 * // Length counts the whole frame, header included (2 bytes), and the frame keeps its header:
 * LengthDelimitedCodec.builder().lengthFieldLength(2).lengthAdjustment(-2).numSkip(0).build();
 * }</pre>
 *
 * <h2>Limits</h2>
 * A payload longer than {@code maxFrameLength} (default {@value #DEFAULT_MAX_FRAME_LENGTH} bytes)
 * fails with a {@link FrameTooLongException} as soon as its header is read, before any of it is
 * buffered; a negative length after adjustment fails too. Either way the bytes stay unconsumed:
 * after such an error the stream's framing is lost, and the connection should be closed.
 *
 * <h2>Encoding</h2>
 * {@link #encode} writes the length field (the payload's length minus the adjustment), then the
 * payload; so a codec that encodes has no bytes before its length field and no bytes after it
 * that the frame does not carry (offset 0, {@code numSkip} equal to the field's length, which the
 * builder's defaults are). A codec with another layout encodes its header as part of the frame.
 * Payloads are {@link ByteBuffer}s, from position to limit; encoding reads them without moving
 * their position.
 */
public final class LengthDelimitedCodec implements Codec<ByteBuffer> {
    /** The default longest payload: 8 MiB, as in {@code tokio-util}. */
    public static final int DEFAULT_MAX_FRAME_LENGTH = 8 * 1024 * 1024;

    private final int offset;
    private final int fieldLength;
    private final long adjustment;
    private final int numSkip;
    private final ByteOrder order;
    private final int maxFrameLength;
    private final int headLength;

    private LengthDelimitedCodec(Builder b) {
        this.offset = b.offset;
        this.fieldLength = b.fieldLength;
        this.adjustment = b.adjustment;
        this.headLength = b.offset + b.fieldLength;
        this.numSkip = b.numSkip < 0 ? headLength : b.numSkip;
        this.order = b.order;
        this.maxFrameLength = b.maxFrameLength;
    }

    /** {@return a builder with the defaults: a 4-byte big-endian length at offset 0, stripped} */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public ByteBuffer decode(ByteBuffer src) throws IOException {
        int start = src.position();
        if (src.remaining() < headLength) {
            return null;
        }
        long field = 0;
        for (int i = 0; i < fieldLength; i++) {
            int shift = order == ByteOrder.BIG_ENDIAN ? 8 * (fieldLength - 1 - i) : 8 * i;
            field |= (long) (src.get(start + offset + i) & 0xff) << shift;
        }
        long payload = field + adjustment;
        if (field < 0 || (adjustment > 0 && payload < field)) {
            // An eight-byte field above 2^63, or an adjustment that overflows: far beyond any limit.
            throw new FrameTooLongException("a length-delimited frame's payload (length field " + Long.toUnsignedString(field)
                    + ", more than a long holds)", Long.MAX_VALUE, maxFrameLength);
        }
        if (payload < 0) {
            throw new IOException("a length-delimited frame's length field says " + field + " bytes, and with the length adjustment of "
                    + adjustment + " that is a payload of " + payload + " bytes; the peer does not speak this framing, or the adjustment is wrong");
        }
        if (payload > maxFrameLength) {
            throw new FrameTooLongException("a length-delimited frame's payload (set maxFrameLength to allow longer)", payload, maxFrameLength);
        }
        long total = headLength + payload;
        if (total < numSkip) {
            throw new IOException("a length-delimited frame of " + total + " bytes is shorter than the " + numSkip
                    + " bytes numSkip strips; the peer does not speak this framing, or numSkip is wrong");
        }
        if (src.remaining() < total) {
            return null;
        }
        byte[] frame = new byte[(int) (total - numSkip)];
        src.get(start + numSkip, frame);
        src.position(start + (int) total);
        return ByteBuffer.wrap(frame);
    }

    /**
     * Writes the length field, then {@code payload}'s remaining bytes (its position is left as it was).
     *
     * @throws FrameTooLongException if the payload is longer than {@code maxFrameLength}, or its
     *         length does not fit in the length field
     * @throws IllegalStateException if this codec's layout cannot be encoded (see the class comment)
     */
    @Override
    public void encode(ByteBuffer payload, WriteBuffer dst) throws IOException {
        if (offset != 0 || numSkip != headLength) {
            throw new IllegalStateException("this codec cannot encode: its frames have " + (offset != 0 ? offset + " bytes before the length field"
                    : "a numSkip of " + numSkip + " instead of the header's " + headLength + " bytes")
                    + "; encode the header as part of each frame with a codec of your own");
        }
        int n = payload.remaining();
        if (n > maxFrameLength) {
            throw new FrameTooLongException("a length-delimited frame's payload to send (set maxFrameLength to allow longer)", n, maxFrameLength);
        }
        long field = n - adjustment;
        if (field < 0 || (fieldLength < 8 && field >>> (8 * fieldLength) != 0)) {
            throw new FrameTooLongException("a length-delimited frame's payload to send, whose length (" + field
                    + " in the field) does not fit in a length field of " + fieldLength + " bytes", n, (1L << (8 * fieldLength)) - 1 + adjustment);
        }
        int start = payload.position();
        dst.putUnsigned(field, fieldLength, order).put(payload);
        payload.position(start);
    }

    @Override
    public String toString() {
        return "LengthDelimitedCodec[offset " + offset + ", field " + fieldLength + " bytes " + order + ", adjustment " + adjustment
                + ", numSkip " + numSkip + ", max " + maxFrameLength + " bytes]";
    }

    /** Configures a {@link LengthDelimitedCodec}; every setting has a default. */
    public static final class Builder {
        private int offset;
        private int fieldLength = 4;
        private long adjustment;
        private int numSkip = -1;
        private ByteOrder order = ByteOrder.BIG_ENDIAN;
        private int maxFrameLength = DEFAULT_MAX_FRAME_LENGTH;

        private Builder() {
        }

        /**
         * @param offset how many bytes come before the length field; default 0
         * @return this builder
         */
        public Builder lengthFieldOffset(int offset) {
            if (offset < 0 || offset > 1024) {
                throw new IllegalArgumentException("lengthFieldOffset must be between 0 and 1024 bytes, was " + offset);
            }
            this.offset = offset;
            return this;
        }

        /**
         * @param length the length field's width in bytes, 1 to 8; default 4
         * @return this builder
         */
        public Builder lengthFieldLength(int length) {
            if (length < 1 || length > 8) {
                throw new IllegalArgumentException("lengthFieldLength must be 1 to 8 bytes, was " + length);
            }
            this.fieldLength = length;
            return this;
        }

        /**
         * @param adjustment added to the length field to give the payload's length; default 0
         * @return this builder
         */
        public Builder lengthAdjustment(long adjustment) {
            this.adjustment = adjustment;
            return this;
        }

        /**
         * @param numSkip how many bytes to strip from the front of each decoded frame; default:
         *                the whole header ({@code lengthFieldOffset + lengthFieldLength})
         * @return this builder
         */
        public Builder numSkip(int numSkip) {
            if (numSkip < 0) {
                throw new IllegalArgumentException("numSkip must not be negative, was " + numSkip);
            }
            this.numSkip = numSkip;
            return this;
        }

        /**
         * @param order the length field's byte order; default big-endian (network order)
         * @return this builder
         */
        public Builder byteOrder(ByteOrder order) {
            this.order = Objects.requireNonNull(order, "order");
            return this;
        }

        /** {@return this builder} Little-endian length field. */
        public Builder littleEndian() {
            return byteOrder(ByteOrder.LITTLE_ENDIAN);
        }

        /**
         * @param max the longest payload accepted or sent, in bytes; default {@value #DEFAULT_MAX_FRAME_LENGTH}
         * @return this builder
         */
        public Builder maxFrameLength(int max) {
            if (max < 0 || max > WriteBuffer.MAX_SIZE - 1024 - 8) {
                throw new IllegalArgumentException("maxFrameLength must be between 0 and " + (WriteBuffer.MAX_SIZE - 1024 - 8) + " bytes, was " + max);
            }
            this.maxFrameLength = max;
            return this;
        }

        /**
         * @return the codec
         * @throws IllegalArgumentException if {@code numSkip} is longer than the header plus the longest payload
         */
        public LengthDelimitedCodec build() {
            if (numSkip > offset + fieldLength + (long) maxFrameLength) {
                throw new IllegalArgumentException("numSkip (" + numSkip + ") is longer than any frame: the header is "
                        + (offset + fieldLength) + " bytes and payloads at most " + maxFrameLength);
            }
            return new LengthDelimitedCodec(this);
        }
    }
}
