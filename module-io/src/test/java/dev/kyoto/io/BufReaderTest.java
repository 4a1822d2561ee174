package dev.kyoto.io;

import static dev.kyoto.io.IoCopyTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BufReaderTest {
    private final Context cx = new Context(() -> { });

    /** Every line until end of stream, read on a real runtime. */
    private static List<String> lines(BufReader in) {
        return run(() -> {
            try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().enableAll().build()) {
                List<String> lines = new ArrayList<>();
                for (String line; (line = rt.blockOn(in.readLine())) != null; ) {
                    lines.add(line);
                }
                assertNull(rt.blockOn(in.readLine()), "end of stream stays the end");
                return lines;
            }
        });
    }

    private static <T> T blockOn(Async<T> a) throws Exception {
        return IoCopyTest.blockOn(a);
    }

    @Test
    void readsLinesEndedByNewlineOrCrLf() {
        BufReader in = new BufReader(new ScriptedReader().data("one\ntwo\r\nthree\n"));
        assertEquals(List.of("one", "two", "three"), lines(in));
    }

    @Test
    void keepsEmptyLinesAndALastLineWithoutNewline() {
        BufReader in = new BufReader(new ScriptedReader().data("\n\r\nmiddle\n\nlast"));
        assertEquals(List.of("", "", "middle", "", "last"), lines(in));
    }

    @Test
    void aCarriageReturnIsStrippedOnlyBeforeANewline() {
        BufReader in = new BufReader(new ScriptedReader().data("a\rb\r\nend\r"));
        assertEquals(List.of("a\rb", "end\r"), lines(in), "as Tokio's lines(): a final \\r without \\n is data");
    }

    @Test
    void anEmptyStreamHasNoLines() {
        assertEquals(List.of(), lines(new BufReader(new ScriptedReader())));
    }

    @Test
    void findsTerminatorsSplitAcrossReads() {
        ScriptedReader r = new ScriptedReader().data("ab\r").pending().data("\ncd").pending().data("e").pending()
                .data("f\r").pending().data("\n").pending().data("\r\n");
        assertEquals(List.of("ab", "cdef", ""), lines(new BufReader(r, 4)));
    }

    @Test
    void decodesACharacterSplitAcrossReads() {
        byte[] text = "caf\u00e9 \u2603\n".getBytes(StandardCharsets.UTF_8);
        ScriptedReader r = new ScriptedReader();
        for (byte b : text) {
            r.data(new byte[] {b}).pending();
        }
        assertEquals(List.of("caf\u00e9 \u2603"), lines(new BufReader(r, 3)));
    }

    @Test
    void aLineLongerThanTheBufferGrowsItAndTheBufferShrinksBack() {
        String longLine = "x".repeat(10_000);
        BufReader in = new BufReader(new ScriptedReader().chunked((longLine + "\nshort\n").getBytes(StandardCharsets.US_ASCII), 333), 16);
        assertEquals(List.of(longLine, "short"), lines(in));
        assertEquals(16, in.array().length, "the grown buffer is given back once the long line is read");
    }

    @Test
    void invalidUtf8FailsNamingTheProblemAndLeavesTheLineUnread() throws Exception {
        byte[] bad = {'o', 'k', (byte) 0xC3, '(', '\n'};
        BufReader in = new BufReader(new ScriptedReader().data(bad).data("next\n"));
        IOException e = assertThrows(IOException.class, () -> run(() -> blockOn(in.readLine())));
        assertTrue(e.getMessage().startsWith("stream did not contain valid UTF-8"), e.getMessage());
        assertTrue(e.getMessage().contains("offset 2"), e.getMessage());
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        assertEquals(5, run(() -> blockOn(in.readUntil((byte) '\n', raw))));
        assertArrayEquals(bad, raw.toByteArray(), "nothing was lost to the failure");
        assertEquals("next", run(() -> blockOn(in.readLine())));
    }

    @Test
    void aLineOverTheLimitFailsNamingTheLimitAndCanBeReadWithALargerOne() throws Exception {
        BufReader in = new BufReader(new ScriptedReader().data("0123456789abcdefghij\nok\n"), 4);
        IOException e = assertThrows(IOException.class, () -> run(() -> blockOn(in.readLine(8))));
        assertTrue(e.getMessage().contains("limit of 8 bytes") && e.getMessage().contains("readLine(int) with a larger maxBytes"), e.getMessage());
        assertTrue(in.array().length <= 10, "buffered no more than the limit and a CRLF: " + in.array().length);
        assertEquals("0123456789abcdefghij", run(() -> blockOn(in.readLine(20))));
        assertEquals("ok", run(() -> blockOn(in.readLine(8))));
    }

    @Test
    void aLineOfExactlyTheLimitIsAcceptedEvenWithCrLfArrivingByteByByte() {
        ScriptedReader r = new ScriptedReader();
        for (byte b : "12345678\r\n123456789\n".getBytes(StandardCharsets.US_ASCII)) {
            r.data(new byte[] {b}).pending();
        }
        BufReader in = new BufReader(r, 2);
        assertEquals("12345678", run(() -> blockOn(in.readLine(8))));
        assertThrows(IOException.class, () -> run(() -> blockOn(in.readLine(8))), "one byte more is too long");
    }

    /** "\r" past the limit may still end a line; at end of stream it turns out to be data, one byte too many. */
    @Test
    void aLastLineOverTheLimitFails() {
        BufReader in = new BufReader(new ScriptedReader().data("12345678\r"));
        IOException e = assertThrows(IOException.class, () -> run(() -> blockOn(in.readLine(8))));
        assertTrue(e.getMessage().contains("the last line has 9 bytes"), e.getMessage());
    }

    @Test
    void theDefaultLimitIs64KiB() {
        String max = "m".repeat(BufReader.DEFAULT_MAX_LINE);
        BufReader in = new BufReader(new ScriptedReader().data(max + "\r\n" + max + "+\n"));
        assertEquals(max, run(() -> blockOn(in.readLine())));
        IOException e = assertThrows(IOException.class, () -> run(() -> blockOn(in.readLine())));
        assertTrue(e.getMessage().contains("limit of 65536 bytes of readLine()"), e.getMessage());
    }

    /** A peer that sends bytes for ever and never a newline cannot make the reader hold more than the limit. */
    @Test
    void anEndlessLineIsCutOffAtTheLimit() {
        AsyncRead endless = (cx, dst) -> {
            int n = dst.remaining();
            while (dst.hasRemaining()) {
                dst.put((byte) 'z');
            }
            return Poll.ready(n);
        };
        BufReader in = new BufReader(endless, 64);
        assertThrows(IOException.class, () -> run(() -> blockOn(in.readLine(100_000))));
        assertTrue(in.array().length <= 100_002, "buffer " + in.array().length);
    }

    @Test
    void readLineIsCancelSafe() throws Exception {
        ScriptedReader.Gate rest = new ScriptedReader.Gate();
        BufReader in = new BufReader(new ScriptedReader().data("hel").gate(rest).data("lo\n"));
        Async<String> first = in.readLine();
        assertTrue(first.poll(cx).isPending());
        first.cancel();
        rest.open();
        assertEquals("hello", run(() -> blockOn(in.readLine())), "the cancelled read's bytes were kept");
    }

    @Test
    void readUntilAppendsTheDelimiterAndReturnsZeroAtTheEnd() {
        BufReader in = new BufReader(new ScriptedReader().data("a,bb").pending().data(",ccc"), 2);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        run(() -> {
            assertEquals(2, blockOn(in.readUntil((byte) ',', out)));
            assertEquals("a,", out.toString(StandardCharsets.US_ASCII));
            assertEquals(3, blockOn(in.readUntil((byte) ',', out)));
            assertEquals(3, blockOn(in.readUntil((byte) ',', out)), "the last record needs no delimiter");
            assertEquals(0, blockOn(in.readUntil((byte) ',', out)));
            return null;
        });
        assertEquals("a,bb,ccc", out.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void readUntilIsCancelSafe() throws Exception {
        ScriptedReader.Gate rest = new ScriptedReader.Gate();
        BufReader in = new BufReader(new ScriptedReader().data("par").gate(rest).data("tial;next"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Async<Integer> first = in.readUntil((byte) ';', out);
        assertTrue(first.poll(cx).isPending());
        first.cancel();
        assertEquals("par", out.toString(StandardCharsets.US_ASCII), "consumed bytes are in the sink already");
        rest.open();
        assertEquals(5, run(() -> blockOn(in.readUntil((byte) ';', out))));
        assertEquals("partial;", out.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void readUntilStopsAtItsLimitWithTheBytesInTheSink() {
        BufReader in = new BufReader(new ScriptedReader().data("abcdefgh").pending().data("ij;"), 3);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        IOException e = assertThrows(IOException.class, () -> run(() -> blockOn(in.readUntil((byte) ';', out, 5))));
        assertTrue(e.getMessage().contains("no delimiter 0x3b within the limit of 5 bytes"), e.getMessage());
        assertEquals("abcde", out.toString(StandardCharsets.US_ASCII));
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        assertEquals(6, run(() -> blockOn(in.readUntil((byte) ';', rest, 6))), "a record of exactly the limit is accepted");
        assertEquals("fghij;", rest.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void readUntilAcceptsARecordOfExactlyTheLimitEndedByTheStream() {
        BufReader in = new BufReader(new ScriptedReader().data("abcde"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(5, run(() -> blockOn(in.readUntil((byte) ';', out, 5))));
    }

    @Test
    void pollReadServesBufferedBytesFirstAndBypassesTheBufferForLargeReads() throws Exception {
        byte[] data = new byte[40];
        Arrays.setAll(new int[40], i -> data[i] = (byte) i);
        ScriptedReader r = new ScriptedReader().data(Arrays.copyOfRange(data, 0, 3)).data(Arrays.copyOfRange(data, 3, 40));
        BufReader in = new BufReader(r, 8);
        ByteBuffer small = ByteBuffer.allocate(2);
        ByteBuffer large = ByteBuffer.allocate(16);
        ByteArrayOutputStream got = new ByteArrayOutputStream();

        assertEquals(2, in.pollRead(cx, small).value());
        got.write(small.array(), 0, 2);
        assertEquals(List.of(8), r.offered(), "a small read fills the buffer");
        assertEquals(1, in.buffered().remaining());

        assertEquals(1, in.pollRead(cx, large).value(), "what is buffered comes first, alone");
        got.write(large.array(), 0, 1);
        assertEquals(List.of(8), r.offered(), "without another read of the inner stream");

        large.clear();
        assertEquals(16, in.pollRead(cx, large).value());
        got.write(large.array(), 0, 16);
        assertEquals(List.of(8, 16), r.offered(), "an empty buffer and a large read: straight into the caller's buffer");

        small.clear();
        assertEquals(2, in.pollRead(cx, small).value());
        got.write(small.array(), 0, 2);
        assertEquals(List.of(8, 16, 8), r.offered());
        assertEquals(6, in.buffered().remaining());

        ByteBuffer rest = ByteBuffer.allocate(64);
        while (in.pollRead(cx, rest).value() > 0) {
            // drains the buffer, then reads the inner stream directly
        }
        got.write(rest.array(), 0, rest.position());
        assertArrayEquals(data, got.toByteArray());
        assertEquals(0, in.pollRead(cx, ByteBuffer.allocate(0)).value(), "no room: 0, not end of stream");
        assertEquals(-1, in.pollRead(cx, small.clear()).value());
    }

    @Test
    void pollFillBufAndConsumeLetACallerParse() throws Exception {
        BufReader in = new BufReader(new ScriptedReader().data("key=value"));
        ByteBuffer b = in.pollFillBuf(cx).value();
        assertEquals("key=value", StandardCharsets.US_ASCII.decode(b.duplicate()).toString());
        assertTrue(b.isReadOnly());
        in.consume(4);
        assertEquals("value", StandardCharsets.US_ASCII.decode(in.pollFillBuf(cx).value()).toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> in.consume(6));
        assertTrue(e.getMessage().contains("cannot consume 6 bytes: 5 are buffered"), e.getMessage());
        in.consume(5);
        assertEquals(0, in.pollFillBuf(cx).value().remaining(), "end of stream: nothing buffered");
    }

    @Test
    void readExactWorksThroughTheBuffer() {
        BufReader in = new BufReader(new ScriptedReader().data("ab").pending().data("cdef"), 3);
        ByteBuffer four = ByteBuffer.allocate(4);
        run(() -> blockOn(in.readExact(four)));
        assertEquals("abcd", new String(four.array(), StandardCharsets.US_ASCII));
    }

    @Test
    void badArgumentsAreRefusedNamingTheProblem() {
        ScriptedReader r = new ScriptedReader();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new BufReader(r, 0)).getMessage()
                .contains("capacity must be between 1 and"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new BufReader(r).readLine(0)).getMessage()
                .contains("maxBytes must be between 1 and"));
        assertThrows(IllegalArgumentException.class, () -> new BufReader(r).readUntil((byte) 0, new ByteArrayOutputStream(), -1));
        assertThrows(NullPointerException.class, () -> new BufReader(null));
        assertThrows(NullPointerException.class, () -> new BufReader(r).readUntil((byte) 0, null));
    }
}
