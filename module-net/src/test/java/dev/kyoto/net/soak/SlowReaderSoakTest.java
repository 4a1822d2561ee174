package dev.kyoto.net.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.net.Pattern;
import dev.kyoto.net.TcpListener;
import dev.kyoto.net.TcpSocket;
import dev.kyoto.net.TcpStream;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.time.Interval;
import dev.kyoto.runtime.time.Time;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Writers that write as fast as they can to readers that read slowly, then not at all. A write
 * completes only once the kernel has taken its bytes, so a writer is held back by its reader: the
 * bytes written and not yet read never exceed what the kernel's buffers hold for a connection,
 * however long the writer keeps trying, and the Java heap does not grow with what was written.
 * Writers stuck that way are then released, half by aborting their tasks and half by their peer
 * resetting the connection, and every socket and registration goes.
 *
 * <p>module-net's {@code WriteBackpressureTest} proves the bound for one connection polled by
 * hand; this is many connections, in tasks, for a long run.
 */
class SlowReaderSoakTest {
    private static final int CONNECTIONS = Soak.size(8, 64);
    /** What each reader reads before it stops reading. */
    private static final long READ = Soak.size(1, 16) * 1024L * 1024;
    /** What a reader reads at most per millisecond tick: about 16 MB/s. */
    private static final int PER_TICK = 16 * 1024;
    /**
     * The socket buffers asked for: the writer's send buffer, the reader's receive buffer (Linux
     * makes both twice as large, for its own overhead). Small, so that a reader slower than its
     * writer holds it back from the first megabyte.
     */
    private static final int SOCKET_BUFFER = 64 * 1024;
    /** The most the heap may grow while writers are stuck: their 64 KiB chunks and change. */
    private static final long HEAP_GROWTH_BOUND = 64L << 20;
    private static final Figures FIGURES = Figures.of(SlowReaderSoakTest.class);

    /** One connection's writing end: writes the pattern for ever, counting what the kernel took and the waits. */
    private static final class Writer implements Async<Void> {
        final TcpStream stream;
        final AtomicLong written = new AtomicLong();
        /** Waits for room in the kernel's buffers (not for the task's cooperative budget). */
        final AtomicLong stalls = new AtomicLong();
        /** Whether the last poll ended waiting for room (rather than for budget, or writing). */
        volatile boolean stalled;
        /** Every writer's stalls, for the test to await. */
        private final Counter allStalls;
        private final ByteBuffer chunk = ByteBuffer.allocate(64 * 1024).flip();
        private long generated;

        Writer(TcpStream stream, Counter allStalls) {
            this.stream = stream;
            this.allStalls = allStalls;
        }

        @Override
        public Poll<Void> poll(Context cx) throws Exception {
            for (;;) {
                if (!chunk.hasRemaining()) {
                    Pattern.fill(chunk.clear(), generated);
                    generated += chunk.flip().remaining();
                }
                Poll<Integer> p = stream.pollWrite(cx, chunk);
                if (p.isReady()) {
                    stalled = false;
                    written.addAndGet(p.value());
                    continue;
                }
                // Pending: the kernel is full, or the task has used its budget. One byte more tells which.
                int n = stream.tryWrite(chunk.slice(chunk.position(), 1));
                if (n == 0) {
                    stalls.incrementAndGet();
                    stalled = true;
                    allStalls.increment();
                } else {
                    stalled = false;
                    chunk.position(chunk.position() + n);
                    written.addAndGet(n);
                }
                return Poll.pending();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Flavour.class)
    void writersAreHeldBackByTheirReadersAndReleaseEverything(Flavour flavour) {
        assertTimeoutPreemptively(Duration.ofMinutes(5), () -> {
            try (KyotoRuntime rt = flavour.build("slow")) {
                Descriptors.Baseline base = Descriptors.baseline(rt);
                long heap0 = ProcessStats.heapAfterGc();
                long rss0 = ProcessStats.rssKiB();
                TcpSocket listening = TcpSocket.newV4();
                listening.setReceiveBufferSize(SOCKET_BUFFER);
                listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                TcpListener listener = rt.blockOn(cx -> Poll.ready(listening.listen(CONNECTIONS)));
                Counter stalls = new Counter();
                Counter readersDone = new Counter();
                List<Writer> writers = new ArrayList<>();
                List<JoinHandle<Void>> writing = new ArrayList<>();
                List<TcpStream> readerSides = new ArrayList<>();
                List<AtomicLong> read = new ArrayList<>();
                // What one connection can have in flight: its two sockets' buffers, which Linux makes
                // twice the size asked for (the JDK reports the size asked for); one packet (64 KiB)
                // the kernel takes past the send buffer's limit, which it checks before it copies,
                // not during; and a chunk a reader has taken but not yet counted.
                long bound = 0;
                for (int i = 0; i < CONNECTIONS; i++) {
                    JoinHandle<TcpStream> accepted = rt.spawn(listener.accept());
                    TcpSocket connecting = TcpSocket.newV4();
                    connecting.setSendBufferSize(SOCKET_BUFFER);
                    Writer w = new Writer(rt.blockOn(connecting.connect(listener.localAddress())), stalls);
                    TcpStream r = rt.blockOn(accepted);
                    bound = Math.max(bound, 2L * (w.stream.sendBufferSize() + r.receiveBufferSize()) + (64 * 1024) + PER_TICK);
                    AtomicLong n = new AtomicLong();
                    writers.add(w);
                    readerSides.add(r);
                    read.add(n);
                    writing.add(rt.spawn(w));
                    rt.spawn(slowlyRead(r, Time.interval(Duration.ofMillis(1)), n, readersDone));
                }
                listener.close();

                // While the readers read, sample the bytes in flight and the memory.
                long[] maxInFlight = {0};
                long[] maxRss = {0};
                long start = System.nanoTime();
                JoinHandle<Void> sampler = rt.spawn(sample(Time.interval(Duration.ofMillis(10)), writers, read, readersDone,
                        maxInFlight, maxRss));
                rt.blockOn(readersDone.atLeast(CONNECTIONS));
                double readSeconds = (System.nanoTime() - start) / 1e9;
                rt.blockOn(sampler);
                // Now nobody reads: every writer fills the kernel's buffers and stays stuck.
                for (long seen = stalls.get(); !writers.stream().allMatch(w -> w.stalled); seen = stalls.get()) {
                    rt.blockOn(stalls.atLeast(seen + 1));
                }
                long heap1 = ProcessStats.heapAfterGc();
                long writtenInAll = 0;
                long stuckInFlight = 0;
                for (int i = 0; i < CONNECTIONS; i++) {
                    Writer w = writers.get(i);
                    long inFlight = w.written.get() - read.get(i).get();
                    stuckInFlight = Math.max(stuckInFlight, inFlight);
                    writtenInAll += w.written.get();
                    assertTrue(inFlight <= bound, "connection " + i + ": " + inFlight + " bytes written and not read;"
                            + " the two sockets' buffers hold at most " + bound);
                    assertTrue(w.stalls.get() > 1, "connection " + i + ": the writer never waited for its reader");
                    assertEquals(READ, read.get(i).get(), "connection " + i + ": bytes read, every one checked");
                }
                assertTrue(maxInFlight[0] <= bound, maxInFlight[0] + " bytes in flight while reading; at most " + bound);
                assertTrue(heap1 - heap0 < HEAP_GROWTH_BOUND, "the heap grew by " + (heap1 - heap0) + " bytes while "
                        + writtenInAll + " bytes were written to readers that stopped");

                // Release: abort the even writers; reset the odd ones' connections from the reading end.
                for (int i = 0; i < CONNECTIONS; i += 2) {
                    writing.get(i).abort();
                }
                for (int i = 1; i < CONNECTIONS; i += 2) {
                    readerSides.get(i).setZeroLinger();
                    readerSides.get(i).close();
                }
                for (int i = 0; i < CONNECTIONS; i++) {
                    JoinHandle<Void> h = writing.get(i);
                    Exception e = assertThrows(Exception.class, () -> rt.blockOn(h), "writer " + i + " ended");
                    if (i % 2 == 0) {
                        assertInstanceOf(CancellationException.class, e, "aborted writer " + i);
                    } else {
                        assertInstanceOf(IOException.class, e, "writer " + i + " whose reader reset");
                    }
                    writers.get(i).stream.close();
                    readerSides.get(i).close();
                }
                Descriptors.awaitBack(rt, base, "after every writer was released");
                FIGURES.add("%s: %d connections; each reader read %d MiB at most %d KiB a millisecond (%.1f s), checking every"
                        + " byte; bytes in flight (written, not read) at most %.2f MiB while reading, %.2f MiB once the readers"
                        + " stopped; the bound (the sockets' buffers, a packet, a read) %.2f MiB", flavour, CONNECTIONS, READ >> 20, PER_TICK / 1024, readSeconds,
                        maxInFlight[0] / 1048576.0, stuckInFlight / 1048576.0, bound / 1048576.0);
                FIGURES.add("%s: %.1f MiB written in all; live heap %+.1f MiB with every writer stuck; resident memory %,d KiB"
                        + " before, at most %,d KiB while reading; released: %d writers aborted, %d failed by their peer's reset;"
                        + " descriptors %d before, %d after", flavour, writtenInAll / 1048576.0, (heap1 - heap0) / 1048576.0,
                        rss0, maxRss[0], (CONNECTIONS + 1) / 2, CONNECTIONS / 2, base.fds(), Descriptors.open());
            }
        });
    }

    /** Reads at most {@link #PER_TICK} bytes a tick until {@link #READ}, checking each; then stops reading. */
    private static Async<Void> slowlyRead(TcpStream s, Interval ticks, AtomicLong read, Counter done) {
        ByteBuffer buf = ByteBuffer.allocate(PER_TICK);
        return ticks.tick().then(t -> s.read(buf.clear().limit((int) Math.min(PER_TICK, READ - read.get())))).then(n -> {
            if (n < 0) {
                throw new IOException("end of stream after " + read.get() + " bytes");
            }
            Pattern.check(buf.flip(), read.get());
            if (read.addAndGet(n) == READ) {
                done.increment();
                return Async.ready(null);
            }
            return slowlyRead(s, ticks, read, done);
        });
    }

    private static Async<Void> sample(Interval ticks, List<Writer> writers, List<AtomicLong> read, Counter readersDone,
            long[] maxInFlight, long[] maxRss) {
        return ticks.tick().then(t -> {
            for (int i = 0; i < writers.size(); i++) {
                maxInFlight[0] = Math.max(maxInFlight[0], writers.get(i).written.get() - read.get(i).get());
            }
            maxRss[0] = Math.max(maxRss[0], ProcessStats.rssKiB());
            return readersDone.get() >= writers.size() ? Async.ready(null)
                    : sample(ticks, writers, read, readersDone, maxInFlight, maxRss);
        });
    }
}
