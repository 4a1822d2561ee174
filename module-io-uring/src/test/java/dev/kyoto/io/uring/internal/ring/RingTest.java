package dev.kyoto.io.uring.internal.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.io.uring.internal.sys.LibC;
import dev.kyoto.io.uring.internal.sys.Sockets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The ring against the real kernel: operations in, completions out, nothing left open. */
@Timeout(60)
class RingTest {

    private record Cqe(long userData, int result, int flags) {
    }

    /** Reaps until {@code n} completions have come, waiting in the kernel for each batch. */
    private static List<Cqe> await(Ring ring, int n) throws IOException {
        List<Cqe> seen = new ArrayList<>();
        while (seen.size() < n) {
            if (ring.reap((u, r, f) -> seen.add(new Cqe(u, r, f))) == 0) {
                ring.submit(1);
            }
        }
        return seen;
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void aNopCompletesWithItsUserData() throws Exception {
        try (Ring ring = Ring.open(8, 0)) {
            assertEquals(8, ring.entries());
            assertTrue(ring.prepare(Opcode.NOP, -1, 0, 0, 0, 42) >= 0);
            assertEquals(1, ring.submit(1));
            assertEquals(List.of(new Cqe(42, 0, 0)), await(ring, 1));
        }
    }

    /** Ten thousand operations through 32 slots: the heads and tails wrap many times, and nothing is lost or doubled. */
    @Test
    void operationsBeyondTheRingsSizeWrapItsHeadsAndTails() throws Exception {
        try (Ring ring = Ring.open(32, 0)) {
            int total = 10_000;
            BitSet completed = new BitSet(total);
            int prepared = 0;
            int done = 0;
            while (done < total) {
                while (prepared < total && ring.prepare(Opcode.NOP, -1, 0, 0, 0, prepared) >= 0) {
                    prepared++;
                }
                ring.submit(1);
                done += ring.reap((u, r, f) -> {
                    assertEquals(0, r);
                    assertTrue(!completed.get((int) u), "completed twice: " + u);
                    completed.set((int) u);
                });
            }
            assertEquals(total, completed.cardinality());
            assertEquals(-1, fillAll(ring), "a ring with every slot prepared refuses one more");
        }
    }

    private static long fillAll(Ring ring) {
        long last = 0;
        for (int i = 0; i <= ring.entries() && last >= 0; i++) {
            last = ring.prepare(Opcode.NOP, -1, 0, 0, 0, -1);
        }
        return last;
    }

    /** A read of an empty eventfd waits in the kernel and completes when the eventfd is written. */
    @Test
    void aReadCompletesWhenItsDescriptorHasData() throws Exception {
        int efd = LibC.eventfd(0, LibC.EFD_CLOEXEC);
        assertTrue(efd >= 0, "eventfd: errno " + LibC.errno());
        try (Ring ring = Ring.open(8, 0); Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocate(8, 8);
            ring.prepare(Opcode.READ, efd, in.address(), 8, 0, 7);
            assertEquals(1, ring.submit(0));
            assertEquals(0, ring.reap((u, r, f) -> { }), "nothing to read yet");
            MemorySegment out = arena.allocate(8, 8);
            out.set(ValueLayout.JAVA_LONG, 0, 5);
            assertEquals(8, LibC.write(efd, out, 8));
            assertEquals(List.of(new Cqe(7, 8, 0)), await(ring, 1));
            assertEquals(5, in.get(ValueLayout.JAVA_LONG, 0));
        } finally {
            LibC.close(efd);
        }
    }

    /** A timeout with nothing to wait for expires with -ETIME after its time. */
    @Test
    void aTimeoutExpiresWithEtime() throws Exception {
        try (Ring ring = Ring.open(8, 0); Arena arena = Arena.ofConfined()) {
            MemorySegment timespec = arena.allocate(16, 8);
            timespec.set(ValueLayout.JAVA_LONG, 8, 2_000_000);
            long start = System.nanoTime();
            ring.prepare(Opcode.TIMEOUT, -1, timespec.address(), 1, 0, 99);
            List<Cqe> done = await(ring, 1);
            assertEquals(List.of(new Cqe(99, -LibC.ETIME, 0)), done);
            assertTrue(System.nanoTime() - start >= 2_000_000, "it waited its 2 ms");
        }
    }

    @Test
    void theKernelSupportsTheOperationsADriverNeeds() throws Exception {
        try (Ring ring = Ring.open(8, 0)) {
            BitSet supported = ring.supportedOpcodes();
            for (byte op : new byte[] {Opcode.NOP, Opcode.POLL_ADD, Opcode.POLL_REMOVE, Opcode.TIMEOUT, Opcode.ACCEPT,
                    Opcode.ASYNC_CANCEL, Opcode.CONNECT, Opcode.CLOSE, Opcode.READ, Opcode.WRITE, Opcode.SEND, Opcode.RECV,
                    Opcode.SHUTDOWN, Opcode.MSG_RING}) {
                assertTrue(supported.get(op), "opcode " + op + " supported; the probe says " + supported);
            }
        }
    }

    /** Each ring is a descriptor and three mappings; closing gives all of them back, once. */
    @Test
    void closingARingReleasesItsDescriptor() throws Exception {
        long before = openDescriptors();
        for (int i = 0; i < 200; i++) {
            Ring ring = Ring.open(64, 0);
            ring.prepare(Opcode.NOP, -1, 0, 0, 0, i);
            ring.submit(0);
            ring.close();
            ring.close();
        }
        assertEquals(before, openDescriptors());
    }

    @Test
    void aRingTheKernelRefusesIsAnErrorThatSaysWhy() {
        IOException e = assertThrows(IOException.class, () -> Ring.open(0, 0));
        assertEquals("io_uring_setup(0 entries, flags 0x0) failed: Invalid argument (errno 22)", e.getMessage());
    }

    /**
     * A kernel older than 5.19 refuses the cooperative flags as invalid; the driver then gets a
     * plain ring rather than no ring. Simulated with a combination every kernel refuses
     * ({@code TASKRUN_FLAG} without {@code COOP_TASKRUN}).
     */
    @Test
    void aKernelThatRefusesTheCooperativeFlagsGetsAPlainRing() throws Exception {
        try (Ring ring = Ring.open(8, Ring.SETUP_TASKRUN_FLAG, 0)) {
            assertFalse(ring.cooperative());
            assertTrue(ring.prepare(Opcode.NOP, -1, 0, 0, 0, 5) >= 0);
            assertEquals(1, ring.submit(1));
            assertEquals(List.of(new Cqe(5, 0, 0)), await(ring, 1));
        }
        IOException e = assertThrows(IOException.class, () -> Ring.open(8, Ring.SETUP_TASKRUN_FLAG, Ring.SETUP_TASKRUN_FLAG));
        assertTrue(e.getMessage().contains("flags 0x200") && e.getMessage().contains("Invalid argument"), e.getMessage());
    }

    /**
     * The driver's rings are cooperative where the kernel has it (5.19; this machine's kernel is
     * newer), and a cooperative ring still needs nothing of the submitting thread: an accept it
     * submitted completes for a thread waiting in the ring while the submitter runs Java code
     * and makes no system call (the kernel runs its part at the next timer tick). A ring whose
     * completions waited for their submitter ({@code DEFER_TASKRUN}) would fail this, and with it
     * the stall watch, which turns a stuck worker's ring from another thread.
     */
    @Test
    void aCooperativeRingCompletesWhatABusyThreadSubmitted() throws Exception {
        completesWhileTheSubmitterHolds(done -> {
            while (done.getCount() > 0) {
                Thread.onSpinWait();
            }
        });
    }

    /**
     * The same with the submitter asleep, as an idle worker is on its condition: the kernel wakes
     * a sleeping thread to run its part (it interrupts only running ones no more), so the thread
     * waiting in the ring is not left waiting for a worker that sleeps until there is work.
     */
    @Test
    void aCooperativeRingCompletesWhatASleepingThreadSubmitted() throws Exception {
        completesWhileTheSubmitterHolds(done -> {
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /**
     * A thread submits an accept on a listening socket with nothing to accept (the kernel tries
     * it, then waits for the socket to be readable), then {@code holds} until told; this thread
     * connects a JDK client and waits in the ring for the accept's completion.
     */
    private static void completesWhileTheSubmitterHolds(Consumer<CountDownLatch> holds) throws Exception {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        int listener = Sockets.listen(loopback, 4);
        try (Ring ring = Ring.openCooperative(8)) {
            assertTrue(ring.cooperative(), "kernel " + System.getProperty("os.version") + " took COOP_TASKRUN");
            CountDownLatch submitted = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(1);
            Thread submitter = new Thread(() -> {
                ring.prepare(Opcode.ACCEPT, listener, 0, 0, 0, 7);
                try {
                    ring.submit(0);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                submitted.countDown();
                holds.accept(done);
            });
            submitter.start();
            try (Socket client = new Socket()) {
                submitted.await();
                client.connect(Sockets.localAddress(listener));
                List<Cqe> seen = new ArrayList<>();
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (seen.isEmpty() && System.nanoTime() < deadline) {
                    ring.await(1, 1_000_000_000L);
                    ring.reap((u, r, f) -> seen.add(new Cqe(u, r, f)));
                }
                assertTrue(submitter.isAlive(), "the submitter still held");
                assertEquals(1, seen.size(), "the accept completed: " + seen);
                assertEquals(7, seen.getFirst().userData());
                assertTrue(seen.getFirst().result() >= 0, "an accepted descriptor: " + seen);
                LibC.close(seen.getFirst().result());
            } finally {
                done.countDown();
                submitter.join();
            }
        } finally {
            LibC.close(listener);
        }
    }
}
