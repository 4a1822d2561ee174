package dev.kyoto.codec;

import static dev.kyoto.codec.CodecTesting.ascii;
import static dev.kyoto.codec.CodecTesting.encode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class LengthDelimitedCodecTest {
    private static ByteBuffer hex(String h) {
        return ByteBuffer.wrap(HexFormat.of().parseHex(h.replace(" ", "")));
    }

    @Test
    void defaultsAreAFourByteBigEndianLengthThatIsStripped() throws Exception {
        LengthDelimitedCodec codec = LengthDelimitedCodec.builder().build();
        ByteBuffer src = hex("00000005 68656c6c6f 00000000 000000");
        assertEquals("hello", ascii(codec.decode(src)));
        assertEquals("", ascii(codec.decode(src)), "a frame may be empty");
        assertNull(codec.decode(src), "three bytes of a header are not a frame");
        assertEquals(3, src.remaining(), "nothing of an incomplete header is consumed");
        assertArrayEquals(HexFormat.of().parseHex("0000000568656c6c6f"), encode(codec, ascii("hello")));
    }

    @Test
    void waitsForTheWholePayloadWithoutConsumingTheHeader() throws Exception {
        LengthDelimitedCodec codec = LengthDelimitedCodec.builder().build();
        ByteBuffer src = hex("00000005 6865");
        assertNull(codec.decode(src));
        assertEquals(0, src.position());
    }

    @Test
    void aLengthThatCountsTheHeaderKeptInTheFrame() throws Exception {
        // tokio-util's example: length counts its own 2 bytes, and the frame keeps the header.
        LengthDelimitedCodec codec = LengthDelimitedCodec.builder().lengthFieldLength(2).lengthAdjustment(-2).numSkip(0).build();
        ByteBuffer frame = codec.decode(hex("000D 48454C4C4F20574F524C44 FF"));
        assertEquals("000d48454c4c4f20574f524c44", HexFormat.of().formatHex(toArray(frame)));
    }

    @Test
    void aHeaderWithBytesBeforeAndAfterTheLength() throws Exception {
        // tokio-util's example: 1 byte before the length, 1 after it (counted by the adjustment), skip 3.
        LengthDelimitedCodec codec = LengthDelimitedCodec.builder()
                .lengthFieldOffset(1).lengthFieldLength(2).lengthAdjustment(1).numSkip(3).build();
        ByteBuffer frame = codec.decode(hex("CA 000B FE 48454C4C4F20574F524C44"));
        assertEquals("fe48454c4c4f20574f524c44", HexFormat.of().formatHex(toArray(frame)));
    }

    @Test
    void littleEndianAndEveryFieldWidthRoundTrip() throws Exception {
        for (int width = 1; width <= 8; width++) {
            for (boolean little : new boolean[] {false, true}) {
                LengthDelimitedCodec.Builder b = LengthDelimitedCodec.builder().lengthFieldLength(width);
                LengthDelimitedCodec codec = (little ? b.littleEndian() : b).build();
                byte[] payload = new byte[200];
                payload[0] = 42;
                byte[] wire = encode(codec, ByteBuffer.wrap(payload));
                assertEquals(width + 200, wire.length);
                assertEquals(little ? (byte) 200 : (width == 1 ? (byte) 200 : 0), wire[0], "width " + width + (little ? " LE" : " BE"));
                assertArrayEquals(payload, toArray(codec.decode(ByteBuffer.wrap(wire))), "width " + width);
            }
        }
    }

    @Test
    void aPayloadOverTheLimitFailsFromItsHeaderAlone() throws Exception {
        LengthDelimitedCodec codec = LengthDelimitedCodec.builder().build();
        ByteBuffer src = hex("40000000");   // 1 GiB announced, nothing of it sent
        FrameTooLongException e = assertThrows(FrameTooLongException.class, () -> codec.decode(src));
        assertEquals(1L << 30, e.length());
        assertEquals(LengthDelimitedCodec.DEFAULT_MAX_FRAME_LENGTH, e.limit());
        assertTrue(e.getMessage().contains("maxFrameLength"), e.getMessage());
        assertEquals(0, src.position(), "nothing consumed");
    }

    @Test
    void anEightByteLengthAboveALongFails() {
        LengthDelimitedCodec codec = LengthDelimitedCodec.builder().lengthFieldLength(8).build();
        assertThrows(FrameTooLongException.class, () -> codec.decode(hex("ffffffffffffffff")));
    }

    @Test
    void aNegativeAdjustedLengthFailsWithTheCause() {
        LengthDelimitedCodec codec = LengthDelimitedCodec.builder().lengthFieldLength(2).lengthAdjustment(-2).build();
        IOException e = assertThrows(IOException.class, () -> codec.decode(hex("0001")));
        assertTrue(e.getMessage().contains("adjustment"), e.getMessage());
    }

    @Test
    void encodingRefusesWhatTheLimitOrTheFieldCannotHold() {
        LengthDelimitedCodec small = LengthDelimitedCodec.builder().maxFrameLength(10).build();
        assertThrows(FrameTooLongException.class, () -> encode(small, ByteBuffer.allocate(11)));
        LengthDelimitedCodec oneByte = LengthDelimitedCodec.builder().lengthFieldLength(1).build();
        assertThrows(FrameTooLongException.class, () -> encode(oneByte, ByteBuffer.allocate(256)));
    }

    @Test
    void encodingLeavesThePayloadsPositionAlone() throws Exception {
        ByteBuffer payload = ascii("abc");
        encode(LengthDelimitedCodec.builder().build(), payload);
        assertEquals(0, payload.position());
    }

    @Test
    void aLayoutThatCannotBeEncodedSaysSo() {
        LengthDelimitedCodec codec = LengthDelimitedCodec.builder().lengthFieldOffset(1).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> encode(codec, ascii("x")));
        assertTrue(e.getMessage().contains("before the length field"), e.getMessage());
    }

    @Test
    void badSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> LengthDelimitedCodec.builder().lengthFieldLength(0));
        assertThrows(IllegalArgumentException.class, () -> LengthDelimitedCodec.builder().lengthFieldLength(9));
        assertThrows(IllegalArgumentException.class, () -> LengthDelimitedCodec.builder().lengthFieldOffset(-1));
        assertThrows(IllegalArgumentException.class, () -> LengthDelimitedCodec.builder().numSkip(-1));
        assertThrows(IllegalArgumentException.class, () -> LengthDelimitedCodec.builder().maxFrameLength(-1));
    }

    private static byte[] toArray(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }
}
