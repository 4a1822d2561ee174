package dev.kyoto.codec;

import static dev.kyoto.codec.CodecTesting.CX;
import static dev.kyoto.codec.CodecTesting.ready;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FramedTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void framesSplitAcrossReadsAreReassembled() throws Exception {
        MemoryStream s = new MemoryStream().chunk(utf8("hel")).chunk(utf8("lo\nwor")).chunk(utf8("ld\n")).end();
        Framed<String> f = Framed.of(s, new LinesCodec());
        assertEquals("hello", ready(f.next()));
        assertEquals("world", ready(f.next()));
        assertNull(ready(f.next()), "clean end of stream");
        assertNull(ready(f.next()), "and it stays ended");
    }

    @Test
    void pipelinedRepliesLeaveInOneWrite() throws Exception {
        StringBuilder requests = new StringBuilder();
        StringBuilder replies = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            requests.append("GET ").append(i).append('\n');
            replies.append("VALUE ").append(i).append('\n');
        }
        MemoryStream s = new MemoryStream().chunk(utf8(requests.toString()));
        Framed<String> f = Framed.of(s, new LinesCodec());
        for (int i = 0; i < 100; i++) {
            String request = ready(f.next());
            ready(f.feed("VALUE " + request.substring(4)));
        }
        assertEquals(0, s.writes(), "nothing written while requests are still buffered");
        assertTrue(f.next().poll(CX).isPending(), "no more requests");
        assertEquals(1, s.writes(), "the hundred replies leave in one write before next() waits");
        assertEquals(1, s.flushes());
        assertEquals(replies.toString(), new String(s.written(), StandardCharsets.UTF_8));
    }

    @Test
    void sendWritesAndFlushesAtOnce() throws Exception {
        MemoryStream s = new MemoryStream();
        Framed<String> f = Framed.of(s, new LinesCodec());
        ready(f.send("hi"));
        assertEquals("hi\n", new String(s.written(), StandardCharsets.UTF_8));
        assertEquals(1, s.flushes());
    }

    @Test
    void feedWritesOnceTheBufferReachesTheBackpressureBoundary() throws Exception {
        MemoryStream s = new MemoryStream();
        FramedWrite<String> w = new FramedWrite<>(s, new LinesCodec());
        String line = "x".repeat(99);
        int fed = 0;
        while (s.writes() == 0) {
            ready(w.feed(line));
            fed++;
        }
        assertEquals(FramedWrite.BACKPRESSURE_BOUNDARY / 100 + 1, fed - 1,
                "the write comes with the first feed after the buffer holds the boundary's worth");
        assertEquals(100, w.buffered(), "the frame that triggered the write is buffered after it");
    }

    @Test
    void shutdownFlushesThenShutsTheStreamDown() throws Exception {
        MemoryStream s = new MemoryStream();
        Framed<String> f = Framed.of(s, new LinesCodec());
        ready(f.feed("bye"));
        ready(f.shutdown());
        assertEquals("bye\n", new String(s.written(), StandardCharsets.UTF_8));
        assertEquals(1, s.shutdowns());
    }

    @Test
    void endOfStreamInsideAFrameIsAnError() throws Exception {
        MemoryStream s = new MemoryStream().chunk(new byte[] {0, 0, 0, 9, 'a', 'b'}).end();
        Framed<ByteBuffer> f = Framed.of(s, LengthDelimitedCodec.builder().build());
        EOFException e = assertThrows(EOFException.class, () -> ready(f.next()));
        assertTrue(e.getMessage().contains("inside a frame"), e.getMessage());
    }

    @Test
    void aDecoderFailureConsumesNothing() throws Exception {
        MemoryStream s = new MemoryStream().chunk(utf8("far too long\n"));
        Framed<String> f = Framed.of(s, new LinesCodec(4));
        assertThrows(FrameTooLongException.class, () -> ready(f.next()));
        assertEquals(13, f.readBuffered());
        assertThrows(FrameTooLongException.class, () -> ready(f.next()), "the same bytes fail the same way");
    }

    @Test
    void theReadersLimitStopsADecoderThatNeverFindsAFrame() throws Exception {
        MemoryStream s = new MemoryStream();
        for (int i = 0; i < 100; i++) {
            s.chunk(new byte[1000]);
        }
        Decoder<String> never = src -> null;
        FramedRead<String> r = new FramedRead<>(s, never, 20_000);
        FrameTooLongException e = assertThrows(FrameTooLongException.class, () -> CodecTesting.drive(r.next()));
        assertEquals(20_000, e.limit());
        assertTrue(r.buffered() >= 20_000 && r.buffered() < 20_000 + 1000, "stopped at the limit: " + r.buffered());
    }

    @Test
    void aDecoderThatConsumesWithoutAFrameIsCaught() {
        MemoryStream s = new MemoryStream().chunk(utf8("abc"));
        Decoder<String> greedy = src -> {
            src.get();
            return null;
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ready(new FramedRead<>(s, greedy).next()));
        assertTrue(e.getMessage().contains("consume nothing"), e.getMessage());
    }

    @Test
    void nextIsCancelSafe() throws Exception {
        MemoryStream s = new MemoryStream().chunk(utf8("hel"));
        Framed<String> f = Framed.of(s, new LinesCodec());
        Async<String> first = f.next();
        assertTrue(first.poll(CX).isPending());
        first.cancel();
        s.chunk(utf8("lo\n"));
        assertEquals("hello", ready(f.next()), "the bytes the cancelled read took are still there");
    }

    @Test
    void holdsNoBuffersWhileIdle() throws Exception {
        MemoryStream s = new MemoryStream().chunk(utf8("ping\n"));
        FramedRead<String> r = new FramedRead<>(s, new LinesCodec());
        FramedWrite<String> w = new FramedWrite<>(s, new LinesCodec());
        assertEquals("ping", ready(r.next()));
        ready(w.feed("pong"));
        assertTrue(w.holdsBuffer());
        ready(w.flush());
        assertFalse(w.holdsBuffer(), "the write buffer goes back once flushed");
        assertTrue(r.next().poll(CX).isPending());
        assertFalse(r.holdsBuffer(), "the read buffer goes back while the stream is quiet");
    }

    @Test
    void aLongFrameGrowsTheBufferWhichShrinksAfter() throws Exception {
        byte[] big = new byte[100_000];
        java.util.Arrays.fill(big, (byte) 'a');
        MemoryStream s = new MemoryStream().chunk(big).chunk(utf8("\nshort\n"));
        FramedRead<String> r = new FramedRead<>(s, new LinesCodec(200_000));
        assertEquals(100_000, CodecTesting.drive(r.next()).length());
        assertEquals("short", CodecTesting.drive(r.next()));
        assertTrue(r.next().poll(CX).isPending());
        assertFalse(r.holdsBuffer());
    }

    @Test
    void pollFeedEncodesWithoutAComputationAndWaitsAtTheBoundary() throws Exception {
        MemoryStream s = new MemoryStream();
        Framed<String> f = Framed.of(s, new LinesCodec());
        assertTrue(f.pollFeed(CX, "one").isReady());
        assertTrue(f.pollFeed(CX, "two").isReady());
        assertEquals(0, s.writes());
        assertEquals(8, f.writeBuffered());
        ready(f.flush());
        assertEquals("one\ntwo\n", new String(s.written(), StandardCharsets.UTF_8));
    }
}
