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
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LinesCodecTest {

    @Test
    void linesEndWithLfOrCrLfAndLoseTheirTerminator() throws Exception {
        LinesCodec codec = new LinesCodec();
        ByteBuffer src = ascii("one\ntwo\r\n\nthree");
        assertEquals("one", codec.decode(src));
        assertEquals("two", codec.decode(src));
        assertEquals("", codec.decode(src));
        assertNull(codec.decode(src), "the last line has no terminator yet");
        assertEquals("three", codec.decodeEof(src), "at end of stream it needs none");
        assertNull(codec.decodeEof(src));
    }

    @Test
    void decodesUtf8AndEncodesIt() throws Exception {
        LinesCodec codec = new LinesCodec();
        String line = "Kyōto 京都 🚄";
        byte[] wire = encode(codec, line);
        assertArrayEquals((line + "\n").getBytes(StandardCharsets.UTF_8), wire);
        assertEquals(line, codec.decode(ByteBuffer.wrap(wire)));
    }

    @Test
    void aLineOverTheLimitFailsAsSoonAsItIsOverAndConsumesNothing() throws Exception {
        LinesCodec codec = new LinesCodec(4);
        assertEquals("abcd", codec.decode(ascii("abcd\r\n")), "exactly the limit, with CRLF, is fine");
        ByteBuffer src = ascii("abcdef");
        FrameTooLongException e = assertThrows(FrameTooLongException.class, () -> codec.decode(src));
        assertEquals(4, e.limit());
        assertEquals(0, src.position());
        assertThrows(FrameTooLongException.class, () -> new LinesCodec(4).decode(ascii("abcde\n")));
    }

    @Test
    void aLongLineArrivingInPiecesIsFound() throws Exception {
        LinesCodec codec = new LinesCodec(100);
        ByteBuffer src = ByteBuffer.allocate(100);
        src.put("0123456789".getBytes(StandardCharsets.US_ASCII)).flip();
        assertNull(codec.decode(src));
        src.limit(src.capacity()).position(10);
        src.put("abc\n".getBytes(StandardCharsets.US_ASCII)).flip();
        assertEquals("0123456789abc", codec.decode(src));
    }

    @Test
    void bytesThatAreNotUtf8FailAndStayUnconsumed() {
        LinesCodec codec = new LinesCodec();
        ByteBuffer src = ByteBuffer.wrap(new byte[] {'a', (byte) 0xff, '\n'});
        IOException e = assertThrows(IOException.class, () -> codec.decode(src));
        assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
        assertEquals(0, src.position());
    }

    @Test
    void encodingALineWithALineFeedIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> encode(new LinesCodec(), "two\nlines"));
        assertThrows(IllegalArgumentException.class, () -> new LinesCodec(0));
    }
}
