package dev.kyoto.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A copy borrows its buffer from its pool only while it uses it: a copy that waits for its reader
 * holds none (an idle connection costs no buffer), one that waits for its writer keeps the bytes.
 * The pool's thread cache makes this observable: what this thread gives back, its next
 * {@code acquire} returns.
 */
class CopyBufferTest {
    private final Context cx = new Context(() -> { });

    /** A reader that has nothing yet and records the buffer it was lent. */
    private static final class Idle implements AsyncRead {
        ByteBuffer lent;

        @Override
        public Poll<Integer> pollRead(Context cx, ByteBuffer dst) {
            lent = dst;
            return Poll.pending();
        }
    }

    @Test
    void aCopyWaitingForItsReaderHoldsNoBuffer() throws Exception {
        BufferPool pool = BufferPool.direct(1024);
        Idle reader = new Idle();
        Async<Long> copy = Io.copy(reader, new ScriptedWriter(), pool);
        assertTrue(copy.poll(cx).isPending());
        assertTrue(reader.lent.isDirect(), "the pool's direct buffer was lent to the read");
        assertSame(reader.lent, pool.acquire(), "the buffer went back to the pool when the read had to wait");
    }

    @Test
    void aCopyWaitingForItsWriterKeepsTheBytesAndGivesTheBufferBackOnceWritten() throws Exception {
        BufferPool pool = BufferPool.direct(1024);
        ScriptedReader.Gate writable = new ScriptedReader.Gate();
        ScriptedReader script = new ScriptedReader().data("hello").pending();
        ByteBuffer[] lent = new ByteBuffer[1];
        AsyncRead reader = (c, dst) -> {
            lent[0] = dst;
            return script.pollRead(c, dst);
        };
        ScriptedWriter writer = new ScriptedWriter().gate(writable);
        Async<Long> copy = Io.copy(reader, writer, pool);
        assertTrue(copy.poll(cx).isPending(), "read, and the write waits");
        ByteBuffer held = lent[0];
        ByteBuffer other = pool.acquire();
        assertNotSame(held, other, "the buffer with the unwritten bytes stays with the copy");
        pool.release(other);
        writable.open();
        assertTrue(copy.poll(cx).isPending(), "written; now the reader waits");
        assertEquals("hello", new String(writer.bytes()));
        assertSame(held, lent[0], "the next read used the same buffer");
        assertSame(held, pool.acquire(), "and gave it back when it had to wait");
    }

    @Test
    void aFailedReadGivesTheBufferBack() {
        BufferPool pool = BufferPool.direct(1024);
        IOException reset = new IOException("connection reset");
        AtomicInteger lent = new AtomicInteger();
        ByteBuffer[] seen = new ByteBuffer[1];
        AsyncRead failing = (cx, dst) -> {
            lent.incrementAndGet();
            seen[0] = dst;
            throw reset;
        };
        assertSame(reset, assertThrows(IOException.class, () -> Io.copy(failing, new ScriptedWriter(), pool).poll(cx)));
        assertEquals(1, lent.get());
        assertSame(seen[0], pool.acquire(), "the failed copy gave its buffer back");
    }

    @Test
    void aHeapPoolCopiesTheSame() throws Exception {
        byte[] data = IoCopyTest.random(300_000, 7);
        ScriptedWriter w = new ScriptedWriter().maxPerPoll(5_000).stutter();
        long n = IoCopyTest.blockOn(Io.copy(new ScriptedReader().chunked(data, 7_000), w, BufferPool.heap(4096)));
        assertEquals(data.length, n);
        assertArrayEquals(data, w.bytes());
    }

    /** Takes everything offered, recording how many buffers each call carried. */
    private static final class Gathering implements AsyncWrite {
        final java.util.List<Integer> buffersPerCall = new java.util.ArrayList<>();
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();

        @Override
        public Poll<Integer> pollWrite(Context cx, ByteBuffer src) {
            buffersPerCall.add(1);
            return Poll.ready(take(src));
        }

        @Override
        public Poll<Long> pollWriteVectored(Context cx, ByteBuffer[] srcs) {
            buffersPerCall.add(srcs.length);
            long n = 0;
            for (ByteBuffer b : srcs) {
                n += take(b);
            }
            return Poll.ready(n);
        }

        private int take(ByteBuffer b) {
            int n = b.remaining();
            byte[] a = new byte[n];
            b.get(a);
            bytes.writeBytes(a);
            return n;
        }
    }

    /** Netty's read loop: reads on while each read fills its buffer, then one gathering write. */
    @Test
    void fullReadsAreBatchedIntoOneGatheringWrite() throws Exception {
        BufferPool pool = BufferPool.direct(1024);
        byte[] data = IoCopyTest.random(3 * 1024 + 10, 11);
        ScriptedReader reader = new ScriptedReader().data(data).pending().data("tail").pending();
        Gathering writer = new Gathering();
        Async<Long> copy = Io.copy(reader, writer, pool);
        assertTrue(copy.poll(cx).isPending());
        assertEquals(java.util.List.of(4), writer.buffersPerCall, "three full reads and the short one after them, in one write");
        assertTrue(copy.poll(cx).isPending());
        assertEquals(java.util.List.of(4, 1), writer.buffersPerCall, "a short first read is written alone");
        assertArrayEquals((new String(data, java.nio.charset.StandardCharsets.ISO_8859_1) + "tail")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), writer.bytes.toByteArray());
    }

    /** A round never reads more than four buffers before it writes. */
    @Test
    void aRoundReadsAtMostFourBuffers() throws Exception {
        BufferPool pool = BufferPool.direct(100);
        byte[] data = IoCopyTest.random(1000, 12);
        Gathering writer = new Gathering();
        assertEquals(1000L, IoCopyTest.blockOn(Io.copy(new ScriptedReader().data(data), writer, pool)));
        assertEquals(java.util.List.of(4, 4, 2), writer.buffersPerCall);
        assertArrayEquals(data, writer.bytes.toByteArray());
    }

    /** End of stream met while reading on: what came before it is written, then the copy is done. */
    @Test
    void endOfStreamWhileReadingOnWritesTheRoundFirst() throws Exception {
        BufferPool pool = BufferPool.direct(100);
        byte[] data = IoCopyTest.random(200, 13);
        Gathering writer = new Gathering();
        assertEquals(200L, Io.copy(new ScriptedReader().data(data), writer, pool).poll(cx).value());
        assertEquals(java.util.List.of(2), writer.buffersPerCall);
        assertArrayEquals(data, writer.bytes.toByteArray());
    }
}
