package dev.kyoto.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BufWriterTest {
    private final Context cx = new Context(() -> { });

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    private <T> T ready(Async<T> a) throws Exception {
        Poll<T> p = a.poll(cx);
        assertTrue(p.isReady(), "expected ready");
        return p.value();
    }

    @Test
    void smallWritesLeaveInOneWriteWhenFlushed() throws Exception {
        ScriptedWriter inner = new ScriptedWriter();
        BufWriter out = new BufWriter(inner);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int i = 0; i < 100; i++) {
            String reply = "+reply " + i + "\r\n";
            ready(out.writeAll(bytes(reply)));
            expected.writeBytes(reply.getBytes(StandardCharsets.US_ASCII));
        }
        assertEquals(0, inner.writes(), "nothing reaches the stream before a flush while the buffer has room");
        assertEquals(expected.size(), out.buffered());
        ready(out.flush());
        assertEquals(1, inner.writes(), "one write for the whole batch");
        assertEquals(1, inner.flushes(), "the inner stream is flushed after the buffer");
        assertArrayEquals(expected.toByteArray(), inner.bytes());
        assertEquals(0, out.buffered());
    }

    @Test
    void aWriteThatDoesNotFitWritesTheBufferOutFirst() throws Exception {
        ScriptedWriter inner = new ScriptedWriter();
        BufWriter out = new BufWriter(inner, 16);
        ready(out.writeAll(bytes("0123456789")));
        ready(out.writeAll(bytes("abcdefghij")));
        assertEquals("0123456789", new String(inner.bytes(), StandardCharsets.US_ASCII));
        assertEquals(10, out.buffered());
        ready(out.flush());
        assertEquals("0123456789abcdefghij", new String(inner.bytes(), StandardCharsets.US_ASCII));
    }

    @Test
    void aWriteAsLargeAsTheBufferGoesStraightThrough() throws Exception {
        ScriptedWriter inner = new ScriptedWriter();
        BufWriter out = new BufWriter(inner, 16);
        ready(out.writeAll(bytes("ab")));
        ready(out.writeAll(ByteBuffer.wrap(new byte[100])));
        assertEquals(2, inner.writes(), "the buffered bytes, then the large write itself, uncopied");
        assertEquals(102, inner.bytes().length);
        assertEquals(0, out.buffered());
    }

    @Test
    void shutdownFlushesFirst() throws Exception {
        ScriptedWriter inner = new ScriptedWriter();
        BufWriter out = new BufWriter(inner);
        ready(out.writeAll(bytes("last words")));
        ready(out.shutdown());
        assertEquals(10, inner.writtenAtShutdown(), "the peer must see the buffered bytes before end of stream");
        assertEquals(1, inner.shutdowns());
    }

    @Test
    void vectoredWritesThatFitAreBuffered() throws Exception {
        ScriptedWriter inner = new ScriptedWriter();
        BufWriter out = new BufWriter(inner);
        ByteBuffer[] parts = {bytes("$5\r\n"), bytes("hello"), bytes("\r\n")};
        assertEquals(11L, ready(out.write(parts)));
        assertEquals(0, inner.writes());
        ready(out.flush());
        assertEquals("$5\r\nhello\r\n", new String(inner.bytes(), StandardCharsets.US_ASCII));
    }

    @Test
    void shortAndStutteringInnerWritesLoseNothing() throws Exception {
        ScriptedWriter inner = new ScriptedWriter().maxPerPoll(7).stutter();
        BufWriter out = new BufWriter(inner, 64);
        byte[] data = new byte[20_000];
        new Random(5).nextBytes(data);
        Random sizes = new Random(6);
        for (int i = 0; i < data.length; ) {
            int n = Math.min(data.length - i, 1 + sizes.nextInt(100));
            Async<Void> w = out.writeAll(ByteBuffer.wrap(Arrays.copyOfRange(data, i, i + n)));
            while (w.poll(cx).isPending()) {
                // The inner writer wakes at once: polling again is what the runtime would do.
            }
            i += n;
        }
        Async<Void> f = out.flush();
        while (f.poll(cx).isPending()) {
            // As above.
        }
        assertArrayEquals(data, inner.bytes());
    }

    @Test
    void holdsNoBufferOnceFlushed() throws Exception {
        BufWriter out = new BufWriter(new ScriptedWriter());
        assertFalse(out.holdsBuffer(), "nothing written yet");
        ready(out.writeAll(bytes("x")));
        assertTrue(out.holdsBuffer());
        ready(out.flush());
        assertFalse(out.holdsBuffer(), "an idle writer gives its buffer back to the pool");
    }

    @Test
    void rejectsANonPositiveCapacity() {
        var e = assertThrows(IllegalArgumentException.class, () -> new BufWriter(new ScriptedWriter(), 0));
        assertTrue(e.getMessage().contains("capacity"), e.getMessage());
    }

    @Test
    void copyFlushesABufferingWriterWhenItsReaderRunsDry() throws Exception {
        // The reader has "hello" and then nothing (a peer that waits for the echo).
        ScriptedReader reader = new ScriptedReader().data("hello").gate(new ScriptedReader.Gate());
        ScriptedWriter inner = new ScriptedWriter();
        Async<Long> copy = Io.copy(reader, new BufWriter(inner));
        assertTrue(copy.poll(cx).isPending());
        assertEquals("hello", new String(inner.bytes(), StandardCharsets.US_ASCII),
                "the copy must flush what it wrote before it waits for its reader, or the peer waits for ever");
    }

    @Test
    void copyFlushesABufferingWriterAtTheEnd() throws Exception {
        ScriptedWriter inner = new ScriptedWriter();
        BufWriter out = new BufWriter(inner);
        assertEquals(5L, ready(Io.copy(new ScriptedReader().data("hello"), out)));
        assertEquals("hello", new String(inner.bytes(), StandardCharsets.US_ASCII));
        assertEquals(1, inner.flushes());
    }
}
