package dev.kyoto.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The default vectored write: Tokio's, one buffer per poll, the first that has bytes. */
class AsyncWriteVectoredTest {
    private final Context cx = new Context(() -> { });

    @Test
    void writesFromTheFirstBufferThatHasBytes() throws Exception {
        ScriptedWriter w = new ScriptedWriter().maxPerPoll(2);
        ByteBuffer[] srcs = {ByteBuffer.allocate(0), ByteBuffer.wrap("abc".getBytes()), ByteBuffer.wrap("de".getBytes())};
        assertEquals(Poll.ready(2L), w.pollWriteVectored(cx, srcs));
        assertEquals(Poll.ready(1L), w.pollWriteVectored(cx, srcs));
        assertEquals(Poll.ready(2L), w.pollWriteVectored(cx, srcs));
        assertEquals(Poll.ready(0L), w.pollWriteVectored(cx, srcs), "every buffer drained");
        assertArrayEquals("abcde".getBytes(), w.bytes());
    }

    @Test
    void pendingIsPassedOn() throws Exception {
        ScriptedWriter w = new ScriptedWriter().stutter();
        ByteBuffer[] srcs = {ByteBuffer.wrap("x".getBytes())};
        assertEquals(Poll.pending(), w.pollWriteVectored(cx, srcs));
        assertEquals(Poll.ready(1L), w.pollWriteVectored(cx, srcs));
    }
}
