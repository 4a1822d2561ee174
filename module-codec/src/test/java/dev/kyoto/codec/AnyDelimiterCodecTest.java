package dev.kyoto.codec;

import static dev.kyoto.codec.CodecTesting.ascii;
import static dev.kyoto.codec.CodecTesting.encode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class AnyDelimiterCodecTest {
    private final AnyDelimiterCodec codec = new AnyDelimiterCodec(new byte[] {',', ';'}, new byte[] {';'}, 8);

    @Test
    void anyDelimiterEndsAChunk() throws Exception {
        ByteBuffer src = ascii("a,bc;;def");
        assertEquals("a", ascii(codec.decode(src)));
        assertEquals("bc", ascii(codec.decode(src)));
        assertEquals("", ascii(codec.decode(src)));
        assertNull(codec.decode(src));
        assertEquals("def", ascii(codec.decodeEof(src)));
        assertNull(codec.decodeEof(src));
    }

    @Test
    void encodingAppendsTheSequence() throws Exception {
        assertEquals("xyz;", new String(encode(codec, ascii("xyz")), "ISO-8859-1"));
    }

    @Test
    void aChunkOverTheLimitFailsConsumingNothing() {
        ByteBuffer src = ascii("123456789");
        assertThrows(FrameTooLongException.class, () -> codec.decode(src));
        assertEquals(0, src.position());
    }

    @Test
    void badSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new AnyDelimiterCodec(new byte[0], new byte[0], 8));
        assertThrows(IllegalArgumentException.class, () -> new AnyDelimiterCodec(new byte[] {','}, new byte[0], 0));
    }
}
