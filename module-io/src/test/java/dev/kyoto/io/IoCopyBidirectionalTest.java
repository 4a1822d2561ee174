package dev.kyoto.io;

import static dev.kyoto.io.IoCopyTest.blockOn;
import static dev.kyoto.io.IoCopyTest.random;
import static dev.kyoto.io.IoCopyTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class IoCopyBidirectionalTest {

    /**
     * The conversation of a proxy: a's side sends "ping" and its end of stream; only once b has
     * been shut down (b's peer saw the end) does b answer and end in turn.
     */
    @Test
    void endOfStreamOnOneSideShutsTheOtherSideDown() {
        ScriptedReader.Gate bSawTheEnd = new ScriptedReader.Gate();
        ScriptedStream a = new ScriptedStream(new ScriptedReader().data("ping"), new ScriptedWriter());
        ScriptedStream b = new ScriptedStream(new ScriptedReader().gate(bSawTheEnd).data("pong!"),
                new ScriptedWriter().onShutdown(bSawTheEnd::open));
        Io.Copied copied = run(() -> blockOn(Io.copyBidirectional(a, b)));
        assertEquals(new Io.Copied(4, 5), copied);
        assertEquals("ping", new String(b.out().bytes()));
        assertEquals("pong!", new String(a.out().bytes()));
        assertEquals(1, b.out().shutdowns());
        assertEquals(1, a.out().shutdowns());
        assertEquals(4, b.out().writtenAtShutdown(), "shut down only after every byte was written");
        assertEquals(5, a.out().writtenAtShutdown());
    }

    @Test
    void movesMegabytesBothWaysThroughShortStutteringWrites() {
        byte[] up = random(2 << 20, 10);
        byte[] down = random(3 << 20, 11);
        ScriptedStream a = new ScriptedStream(new ScriptedReader().chunked(up, 5000),
                new ScriptedWriter().maxPerPoll(3000).stutter().shutdownPendingOnce());
        ScriptedStream b = new ScriptedStream(new ScriptedReader().chunked(down, 7000),
                new ScriptedWriter().maxPerPoll(1000).stutter().shutdownPendingOnce());
        assertEquals(new Io.Copied(up.length, down.length), run(() -> blockOn(Io.copyBidirectional(a, b))));
        assertArrayEquals(up, b.out().bytes());
        assertArrayEquals(down, a.out().bytes());
        assertEquals(1, a.out().shutdowns());
        assertEquals(1, b.out().shutdowns());
    }

    @Test
    void theFinishedDirectionWaitsForTheOtherOne() throws Exception {
        ScriptedReader.Gate bSpeaks = new ScriptedReader.Gate();
        ScriptedStream a = new ScriptedStream(new ScriptedReader(), new ScriptedWriter());
        ScriptedStream b = new ScriptedStream(new ScriptedReader().gate(bSpeaks).data("late"), new ScriptedWriter());
        var copy = Io.copyBidirectional(a, b);
        Context cx = new Context(() -> { });
        run(() -> {
            assertTrue(copy.poll(cx).isPending(), "a is done at once, b is not");
            assertEquals(1, b.out().shutdowns(), "a's end of stream has reached b already");
            assertTrue(copy.poll(cx).isPending());
            assertEquals(1, b.out().shutdowns(), "and only once");
            bSpeaks.open();
            Poll<Io.Copied> done = copy.poll(cx);
            assertEquals(new Io.Copied(0, 4), done.value());
            return null;
        });
        assertEquals("late", new String(a.out().bytes()));
        assertEquals(1, a.out().shutdowns());
    }

    @Test
    void aFailureInOneDirectionFailsTheWholeCopy() {
        IOException reset = new IOException("connection reset by peer");
        ScriptedReader.Gate never = new ScriptedReader.Gate();
        ScriptedStream a = new ScriptedStream(new ScriptedReader().gate(never), new ScriptedWriter());
        ScriptedStream b = new ScriptedStream(new ScriptedReader().data("partial").pending().fail(reset), new ScriptedWriter());
        assertSame(reset, assertThrows(IOException.class, () -> run(() -> blockOn(Io.copyBidirectional(a, b)))));
        assertEquals("partial", new String(a.out().bytes()));
        assertEquals(0, a.out().shutdowns(), "a failed direction is not a finished one: no end of stream passed on");
        assertEquals(0, b.out().shutdowns());
    }

    @Test
    void aShutdownFailureFailsTheCopy() {
        IOException notConnected = new IOException("shutdown failed");
        ScriptedStream a = new ScriptedStream(new ScriptedReader().data("x"), new ScriptedWriter());
        AsyncReadWrite b = new AsyncReadWrite(new ScriptedReader(), new ScriptedWriter(), notConnected);
        assertSame(notConnected, assertThrows(IOException.class, () -> run(() -> blockOn(Io.copyBidirectional(a, b)))));
    }

    /** A stream whose shutdown fails. */
    private record AsyncReadWrite(ScriptedReader in, ScriptedWriter out, IOException shutdownFailure) implements AsyncRead, AsyncWrite {
        @Override
        public Poll<Integer> pollRead(Context cx, java.nio.ByteBuffer dst) throws IOException {
            return in.pollRead(cx, dst);
        }

        @Override
        public Poll<Integer> pollWrite(Context cx, java.nio.ByteBuffer src) throws IOException {
            return out.pollWrite(cx, src);
        }

        @Override
        public Poll<Void> pollShutdown(Context cx) throws IOException {
            throw shutdownFailure;
        }
    }
}
