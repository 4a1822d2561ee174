package dev.kyoto.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingSupplier;

class IoCopyTest {

    static <T> T run(ThrowingSupplier<T> body) {
        return assertTimeoutPreemptively(Duration.ofSeconds(20), body);
    }

    static <T> T blockOn(Async<T> a) throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().enableAll().build()) {
            return rt.blockOn(a);
        }
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void copiesAnEmptyStream() {
        ScriptedWriter w = new ScriptedWriter();
        assertEquals(0L, run(() -> blockOn(Io.copy(new ScriptedReader(), w))));
        assertEquals(0, w.bytes().length);
        assertEquals(0, w.shutdowns(), "copy leaves the writer open: the caller may have more to write");
    }

    @Test
    void copiesALargeStreamArrivingInUnevenChunks() {
        byte[] data = random(3 << 20, 1);
        ScriptedReader r = new ScriptedReader();
        Random sizes = new Random(2);
        for (int i = 0; i < data.length; ) {
            int n = Math.min(data.length - i, 1 + sizes.nextInt(20_000));
            r.data(java.util.Arrays.copyOfRange(data, i, i + n)).pending();
            i += n;
        }
        ScriptedWriter w = new ScriptedWriter();
        assertEquals((long) data.length, run(() -> blockOn(Io.copy(r, w))));
        assertArrayEquals(data, w.bytes());
    }

    @Test
    void shortAndStutteringWritesLoseNothing() {
        byte[] data = random(100_000, 3);
        ScriptedWriter w = new ScriptedWriter().maxPerPoll(7).stutter();
        assertEquals((long) data.length, run(() -> blockOn(Io.copy(new ScriptedReader().chunked(data, 10_000), w))));
        assertArrayEquals(data, w.bytes());
    }

    @Test
    void aWriterFailureIsThrownAndStopsTheReads() {
        byte[] data = random(200_000, 4);
        IOException broken = new IOException("broken pipe");
        ScriptedReader r = new ScriptedReader().data(data);
        ScriptedWriter w = new ScriptedWriter().maxPerPoll(1000).failAfter(10_000, broken);
        IOException thrown = assertThrows(IOException.class, () -> run(() -> blockOn(Io.copy(r, w))));
        assertSame(broken, thrown, "the writer's own exception, unchanged");
        assertArrayEquals(java.util.Arrays.copyOf(data, 10_000), w.bytes());
        assertTrue(r.served() <= 10_000 + Io.COPY_MAX_READ_AHEAD, "read at most one round past the failure, read " + r.served());
    }

    @Test
    void aReaderFailureIsThrownAfterWhatCameBeforeItWasWritten() {
        IOException reset = new IOException("connection reset");
        ScriptedReader r = new ScriptedReader().data("hello ").pending().data("world").fail(reset).data("never");
        ScriptedWriter w = new ScriptedWriter();
        assertSame(reset, assertThrows(IOException.class, () -> run(() -> blockOn(Io.copy(r, w)))));
        assertEquals("hello world", new String(w.bytes()));
    }

    /** A writer that cannot take anything keeps the copy from reading more than one round. */
    @Test
    void aStalledWriterStopsTheReadsAfterOneRound() {
        byte[] data = random(1 << 20, 5);
        ScriptedReader.Gate writable = new ScriptedReader.Gate();
        ScriptedReader r = new ScriptedReader().data(data);
        ScriptedWriter w = new ScriptedWriter().gate(writable);
        AtomicInteger wakes = new AtomicInteger();
        Context cx = new Context(wakes::incrementAndGet);
        Async<Long> copy = Io.copy(r, w);
        run(() -> {
            for (int i = 0; i < 10; i++) {
                assertTrue(copy.poll(cx).isPending());
            }
            assertEquals(Io.COPY_MAX_READ_AHEAD, r.served(), "one round read (four full buffers), then no more until it is written");
            assertEquals(0, wakes.get());
            writable.open();
            assertEquals(1, wakes.get(), "the writer's wake reaches the copy's task");
            assertEquals((long) data.length, copy.poll(cx).value(), "nothing left to wait for: done in one poll");
            return null;
        });
        assertArrayEquals(data, w.bytes());
    }

    /** Both streams always ready: without the coop budget this copy would never give the thread back. */
    @Test
    void aCopyOfAlwaysReadyStreamsLetsOtherTasksRun() {
        AsyncRead endless = (cx, dst) -> {
            int n = dst.remaining();
            dst.position(dst.limit());
            return Poll.ready(n);
        };
        AsyncWrite discard = (cx, src) -> {
            int n = src.remaining();
            src.position(src.limit());
            return Poll.ready(n);
        };
        run(() -> {
            try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().enableAll().build()) {
                JoinHandle<Long> copy = rt.spawn(Io.copy(endless, discard));
                rt.blockOn(rt.spawn(Async.yieldNow()));
                copy.abort();
                assertThrows(CancellationException.class, () -> rt.blockOn(copy));
            }
            return null;
        });
    }

    @Test
    void aCancelledCopyLeavesTheReaderReadyForTheNextOne() {
        ScriptedReader.Gate later = new ScriptedReader.Gate();
        ScriptedReader r = new ScriptedReader().data("first ").gate(later).data("second");
        ScriptedWriter w1 = new ScriptedWriter();
        ScriptedWriter w2 = new ScriptedWriter();
        run(() -> {
            try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().enableAll().build()) {
                JoinHandle<Long> copy = rt.spawn(Io.copy(r, w1));
                // Turn the scheduler until the copy has written "first " and waits at the gate.
                while (w1.bytes().length < 6) {
                    rt.blockOn(rt.spawn(Async.yieldNow()));
                }
                copy.abort();
                assertThrows(CancellationException.class, () -> rt.blockOn(copy));
                later.open(); // wakes the aborted task's waker: must be harmless
                assertEquals(6L, rt.blockOn(Io.copy(r, w2)));
            }
            return null;
        });
        assertEquals("first ", new String(w1.bytes()));
        assertEquals("second", new String(w2.bytes()));
    }

    @Test
    void aWriterThatTakesNothingIsAnErrorNotALoop() {
        AsyncWrite stuck = (cx, src) -> Poll.ready(0);
        IOException e = assertThrows(IOException.class, () -> run(() -> blockOn(Io.copy(new ScriptedReader().data("x"), stuck))));
        assertTrue(e.getMessage().contains("wrote 0 of 1 bytes") && e.getMessage().contains("pollWrite must write at least one byte"), e.getMessage());
    }

    @Test
    void aReaderThatReadsNothingIsAnErrorNotALoop() {
        AsyncRead stuck = (cx, dst) -> Poll.ready(0);
        IOException e = assertThrows(IOException.class, () -> run(() -> blockOn(Io.copy(stuck, new ScriptedWriter()))));
        assertTrue(e.getMessage().contains("read 0 bytes") && e.getMessage().contains("pollRead must read at least one byte"), e.getMessage());
    }

    @Test
    void nullStreamsAreRefusedAtOnce() {
        assertThrows(NullPointerException.class, () -> Io.copy(null, new ScriptedWriter()));
        assertThrows(NullPointerException.class, () -> Io.copy(new ScriptedReader(), null));
    }
}
