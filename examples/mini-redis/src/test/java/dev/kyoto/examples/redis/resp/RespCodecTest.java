package dev.kyoto.examples.redis.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kyoto.codec.WriteBuffer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RespCodecTest {

    private static final List<Frame> EVERY_TYPE = List.of(
            new Frame.Simple("OK"),
            new Frame.Error("ERR something went wrong"),
            new Frame.Int(0),
            new Frame.Int(-42),
            new Frame.Int(Long.MAX_VALUE),
            new Frame.Int(Long.MIN_VALUE),
            Frame.Bulk.of("hello"),
            new Frame.Bulk(new byte[0]),
            new Frame.Bulk(new byte[] {0, '\r', '\n', (byte) 0xff, '$', '*'}),
            Frame.NULL_BULK,
            Frame.Array.of(),
            Frame.NULL_ARRAY,
            Frame.Array.of(Frame.Bulk.of("message"), Frame.Bulk.of("ch"), new Frame.Int(3),
                    Frame.Array.of(new Frame.Simple("nested"), Frame.NULL_BULK, Frame.NULL_ARRAY)));

    @Test
    void everyFrameTypeRoundTrips() throws Exception {
        for (Frame f : EVERY_TYPE) {
            byte[] wire = encode(f);
            ByteBuffer src = ByteBuffer.wrap(wire);
            assertEquals(f, RespCodec.replies().decode(src), () -> "decoding " + show(wire));
            assertEquals(wire.length, src.position(), () -> "consumed all of " + show(wire));
        }
    }

    @Test
    void encodesAsRedisDoes() throws Exception {
        assertEquals("+OK\r\n", show(encode(new Frame.Simple("OK"))));
        assertEquals("-ERR x\r\n", show(encode(new Frame.Error("ERR x"))));
        assertEquals(":-7\r\n", show(encode(new Frame.Int(-7))));
        assertEquals("$3\r\nabc\r\n", show(encode(Frame.Bulk.of("abc"))));
        assertEquals("$-1\r\n", show(encode(Frame.NULL_BULK)));
        assertEquals("*-1\r\n", show(encode(Frame.NULL_ARRAY)));
        assertEquals("*2\r\n$1\r\na\r\n:1\r\n", show(encode(Frame.Array.of(Frame.Bulk.of("a"), new Frame.Int(1)))));
        // An error that quotes a client's bytes stays one line.
        assertEquals("-ERR unknown command 'a  b'\r\n", show(encode(new Frame.Error("ERR unknown command 'a\r\nb'"))));
    }

    /** Offers every prefix of the bytes, as a reader that receives them one at a time would. */
    @Test
    void aFrameSplitAtEveryByteDecodesTheSame() throws Exception {
        List<Frame> all = new ArrayList<>(EVERY_TYPE);
        for (Frame f : all) {
            byte[] wire = encode(f);
            assertEquals(f, decodeByteByByte(RespCodec.replies(), wire), () -> "decoding " + show(wire) + " byte by byte");
        }
        Frame command = Frame.Array.of(Frame.Bulk.of("SET"), Frame.Bulk.of("key"), new Frame.Bulk(new byte[] {'\r', '\n', 0}));
        assertEquals(command, decodeByteByByte(RespCodec.requests(), encode(command)));
    }

    /** Splits the bytes in two at every position: a codec that saw the first part resumes with both. */
    @Test
    void aCommandSplitInTwoAnywhereDecodesTheSame() throws Exception {
        Frame command = Frame.Array.of(Frame.Bulk.of("MSET"), Frame.Bulk.of("k1"), Frame.Bulk.of("v1"),
                Frame.Bulk.of("k2"), Frame.Bulk.of(""));
        byte[] wire = encode(command);
        for (int split = 0; split < wire.length; split++) {
            RespCodec codec = RespCodec.requests();
            ByteBuffer buf = ByteBuffer.wrap(wire);
            buf.limit(split);
            assertNull(codec.decode(buf));
            assertEquals(0, buf.position());
            buf.limit(wire.length);
            assertEquals(command, codec.decode(buf), "split at " + split);
            assertEquals(wire.length, buf.position());
        }
    }

    @Test
    void decodesPipelinedCommandsOneAtATime() throws Exception {
        ByteBuffer src = ascii("*1\r\n$4\r\nPING\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n");
        RespCodec codec = RespCodec.requests();
        assertEquals(command("PING"), codec.decode(src));
        assertEquals(command("PING"), codec.decode(src));
        assertEquals(command("ECHO", "hi"), codec.decode(src));
        assertNull(codec.decode(src));
    }

    @Test
    void inlineCommandsAreSplitOnSpaces() throws Exception {
        RespCodec codec = RespCodec.requests();
        assertEquals(command("SET", "a", "b"), codec.decode(ascii("SET a  \tb\r\n")));
        assertEquals(command("PING"), codec.decode(ascii("PING\n")));
        assertEquals(RespCodec.EMPTY_COMMAND, codec.decode(ascii("\r\n")));
        assertEquals(RespCodec.EMPTY_COMMAND, codec.decode(ascii("*0\r\n")));
        assertEquals(RespCodec.EMPTY_COMMAND, codec.decode(ascii("*-1\r\n")));
        ByteBuffer partial = ascii("GET k");
        assertNull(codec.decode(partial));
        assertEquals(0, partial.position());
    }

    @Test
    void aHugeBulkLengthFailsOnItsHeader() throws Exception {
        // 1 GiB announced; nothing of it sent. The header alone must fail.
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> RespCodec.requests().decode(ascii("*1\r\n$1073741824\r\n")));
        assertEquals("invalid bulk length", e.getMessage());
        assertEquals(new Frame.Error("ERR Protocol error: invalid bulk length"), e.reply());
        // 512 MiB is the limit, and is accepted as a header.
        assertNull(RespCodec.requests().decode(ascii("*1\r\n$536870912\r\n")));
        assertThrows(ProtocolException.class, () -> RespCodec.requests().decode(ascii("*1\r\n$536870913\r\n")));
        assertThrows(ProtocolException.class, () -> RespCodec.replies().decode(ascii("$1073741824\r\n")));
    }

    @Test
    void limitsAndMalformedHeadersFailWithRedisWording() {
        assertProtocolError("invalid multibulk length", "*1048577\r\n");
        assertProtocolError("invalid multibulk length", "*x\r\n");
        assertProtocolError("invalid multibulk length", "*01\r\n");
        assertProtocolError("invalid multibulk length", "*\r\n");
        assertProtocolError("invalid bulk length", "*1\r\n$-1\r\n");
        assertProtocolError("invalid bulk length", "*1\r\n$1x\r\n");
        assertProtocolError("invalid bulk length", "*1\r\n$99999999999999999999\r\n");
        assertProtocolError("expected '$', got 'x'", "*2\r\n$1\r\na\r\nx\r\n");
        assertProtocolError("too big inline request", "A".repeat(RespCodec.MAX_INLINE_LENGTH + 1));
        assertProtocolError("too big mbulk count string", "*" + "1".repeat(RespCodec.MAX_INLINE_LENGTH + 1));
        assertProtocolError("too big bulk count string", "*1\r\n$" + "1".repeat(RespCodec.MAX_INLINE_LENGTH + 1));
    }

    @Test
    void aLargeMultibulkIsNotAllocatedFromItsHeader() throws Exception {
        // The largest count is accepted, and costs only what arrived.
        assertNull(RespCodec.requests().decode(ascii("*1048576\r\n$1\r\na\r\n")));
    }

    @Test
    void numbersAreReadStrictly() {
        assertEquals(0, Numbers.parseLong(bytes("0")));
        assertEquals(-1, Numbers.parseLong(bytes("-1")));
        assertEquals(Long.MAX_VALUE, Numbers.parseLong(bytes("9223372036854775807")));
        assertEquals(Long.MIN_VALUE, Numbers.parseLong(bytes("-9223372036854775808")));
        for (String bad : new String[] {"", "-", "+1", " 1", "1 ", "01", "-0", "9223372036854775808", "1.5", "abc"}) {
            assertThrows(NumberFormatException.class, () -> Numbers.parseLong(bytes(bad)), bad);
        }
    }

    private static void assertProtocolError(String reason, String input) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> RespCodec.requests().decode(ascii(input)),
                () -> "decoding " + input);
        assertEquals(reason, e.getMessage(), () -> "decoding " + input);
    }

    private static Frame decodeByteByByte(RespCodec codec, byte[] wire) throws Exception {
        ByteBuffer buf = ByteBuffer.wrap(wire);
        for (int n = 0; n < wire.length; n++) {
            buf.limit(n);
            assertNull(codec.decode(buf), "a frame from the first " + n + " bytes of " + show(wire));
            assertEquals(0, buf.position(), "consumed after " + n + " bytes");
        }
        buf.limit(wire.length);
        Frame f = codec.decode(buf);
        assertEquals(wire.length, buf.position());
        return f;
    }

    private static Frame command(String... args) {
        List<Frame> items = new ArrayList<>();
        for (String a : args) {
            items.add(Frame.Bulk.of(a));
        }
        return new Frame.Array(items);
    }

    static byte[] encode(Frame f) {
        WriteBuffer dst = new WriteBuffer();
        RespCodec.requests().encode(f, dst);
        return dst.toByteArray();
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(bytes(s));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String show(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
