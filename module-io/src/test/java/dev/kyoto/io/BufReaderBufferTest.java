package dev.kyoto.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * A {@link BufReader} of the default capacity holds its buffer only while it holds bytes: waiting
 * for its stream with nothing buffered, it has given the buffer back to its pool (which this
 * thread's next {@code acquire} then returns).
 */
class BufReaderBufferTest {
    private final Context cx = new Context(() -> { });

    /** Serves a script, recording the buffer of each read. */
    private static final class Recording implements AsyncRead {
        final ScriptedReader script;
        ByteBuffer lent;

        Recording(ScriptedReader script) {
            this.script = script;
        }

        @Override
        public Poll<Integer> pollRead(Context cx, ByteBuffer dst) throws java.io.IOException {
            lent = dst;
            return script.pollRead(cx, dst);
        }
    }

    @Test
    void aReaderWaitingWithNothingBufferedHoldsNoBuffer() throws Exception {
        Recording in = new Recording(new ScriptedReader().pending().data("one\ntwo").pending().data("\n"));
        BufReader reader = new BufReader(in);
        Async<String> first = reader.readLine();
        assertTrue(first.poll(cx).isPending());
        assertSame(in.lent, BufReader.DEFAULT_BUFFERS.acquire(), "nothing buffered: the buffer went back");
        assertEquals("one", first.poll(cx).value());
        Async<String> second = reader.readLine();
        assertTrue(second.poll(cx).isPending(), "half a line buffered, the rest not here yet");
        ByteBuffer holding = in.lent;
        assertNotSame(holding, BufReader.DEFAULT_BUFFERS.acquire(), "the half line keeps its buffer");
        assertEquals("two", second.poll(cx).value());
    }

    @Test
    void aReaderOfItsOwnCapacityKeepsItsBuffer() throws Exception {
        Recording in = new Recording(new ScriptedReader().pending().data("x\n"));
        BufReader reader = new BufReader(in, 100);
        Async<String> line = reader.readLine();
        assertTrue(line.poll(cx).isPending());
        assertEquals(100, in.lent.capacity(), "its own array, not the pool's");
        assertEquals("x", line.poll(cx).value());
    }
}
