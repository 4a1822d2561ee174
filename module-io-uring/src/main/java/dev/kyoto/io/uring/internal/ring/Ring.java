package dev.kyoto.io.uring.internal.ring;

import dev.kyoto.io.uring.internal.sys.LibC;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.BitSet;

/**
 * One io_uring instance: a submission queue the application fills with operations and a
 * completion queue the kernel fills with their results, both rings in memory shared with the
 * kernel, set up with {@code io_uring_setup}, mapped with {@code mmap} and driven with
 * {@code io_uring_enter}, all from Java.
 *
 * <p>Who may call what: {@link #prepare} and {@link #publish} write the submission tail and must
 * not run on two threads at once (the driver serializes them with its submission lock);
 * {@link #enter} may run on any thread at any time, since the kernel serializes submission itself,
 * but at most one thread at a time may wait in it with a timeout (the timeout's memory is the
 * ring's own); {@link #reap} has one caller at a time, the thread that waits. The kernel is the
 * other party, and the rings' heads and tails are the only memory both write:
 * <ul>
 *   <li>the submission tail is ours: SQEs are written plainly, then the tail is published with a
 *       release store, so the kernel, which loads it with acquire, sees whole entries; the
 *       submission head is the kernel's, loaded with acquire before a slot is reused;</li>
 *   <li>the completion tail is the kernel's, loaded with acquire before CQEs are read; the
 *       completion head is ours, stored with release once they are read, which hands their slots
 *       back to the kernel.</li>
 * </ul>
 * {@code sqTail} is the next free submission slot, written under the submission lock; the tail in
 * shared memory is its value as of the last {@link #publish}, and {@code sqTail - kernel's sq
 * head} never exceeds {@code sqEntries}. An {@code io_uring_enter} is told to submit everything
 * published and not yet consumed, so any thread's enter submits every thread's entries.
 */
public final class Ring implements AutoCloseable {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final int SQE_SIZE = 64;
    private static final int CQE_SIZE = 16;
    private static final long OFF_SQ_RING = 0L;
    private static final long OFF_CQ_RING = 0x8000000L;
    private static final long OFF_SQES = 0x10000000L;
    private static final int FEAT_SINGLE_MMAP = 1;
    private static final int ENTER_GETEVENTS = 1;
    private static final int ENTER_EXT_ARG = 1 << 3;
    private static final int SQ_CQ_OVERFLOW = 1 << 1;
    private static final int SQ_TASKRUN = 1 << 2;
    static final int SETUP_COOP_TASKRUN = 1 << 8;
    static final int SETUP_TASKRUN_FLAG = 1 << 9;
    /** {@code sizeof(struct io_uring_getevents_arg)}: sigmask, sigmask_sz, min_wait_usec, ts. */
    private static final int GETEVENTS_ARG_SIZE = 24;
    private static final int REGISTER_PROBE = 8;
    private static final int PROBE_OPS = 256;
    private static final int OP_SUPPORTED = 1;

    private final int fd;
    private final int features;
    private final boolean cooperative;
    private final MemorySegment sqRing;
    private final MemorySegment cqRing;
    private final MemorySegment sqes;
    private final long sqRingBytes;
    private final long cqRingBytes;
    private final boolean singleMmap;
    private final int sqEntries;
    private final int sqMask;
    private final int cqMask;
    private final long sqHeadOff;
    private final long sqTailOff;
    private final long sqFlagsOff;
    private final long cqHeadOff;
    private final long cqTailOff;
    private final long cqesOff;
    /** {@code struct io_uring_getevents_arg} followed by the {@code __kernel_timespec} it points to. */
    private final MemorySegment waitArg;
    private final Arena waitArena = Arena.ofShared();
    private int sqTail;
    private boolean closed;

    private Ring(int fd, MemorySegment params, MemorySegment sqRing, MemorySegment cqRing, MemorySegment sqes,
            long sqRingBytes, long cqRingBytes, boolean singleMmap) {
        this.fd = fd;
        this.features = params.get(ValueLayout.JAVA_INT, Params.FEATURES);
        this.cooperative = (params.get(ValueLayout.JAVA_INT, Params.FLAGS) & SETUP_COOP_TASKRUN) != 0;
        this.sqRing = sqRing;
        this.cqRing = cqRing;
        this.sqes = sqes;
        this.sqRingBytes = sqRingBytes;
        this.cqRingBytes = cqRingBytes;
        this.singleMmap = singleMmap;
        this.sqEntries = params.get(ValueLayout.JAVA_INT, Params.SQ_ENTRIES);
        this.sqMask = sqRing.get(ValueLayout.JAVA_INT, params.get(ValueLayout.JAVA_INT, Params.SQ_RING_MASK));
        this.cqMask = cqRing.get(ValueLayout.JAVA_INT, params.get(ValueLayout.JAVA_INT, Params.CQ_RING_MASK));
        this.sqHeadOff = params.get(ValueLayout.JAVA_INT, Params.SQ_HEAD);
        this.sqTailOff = params.get(ValueLayout.JAVA_INT, Params.SQ_TAIL);
        this.sqFlagsOff = params.get(ValueLayout.JAVA_INT, Params.SQ_FLAGS);
        this.cqHeadOff = params.get(ValueLayout.JAVA_INT, Params.CQ_HEAD);
        this.cqTailOff = params.get(ValueLayout.JAVA_INT, Params.CQ_TAIL);
        this.cqesOff = params.get(ValueLayout.JAVA_INT, Params.CQ_CQES);
        this.sqTail = (int) INT.getAcquire(sqRing, sqTailOff);
        this.waitArg = waitArena.allocate(GETEVENTS_ARG_SIZE + 16, 8);
        waitArg.set(ValueLayout.JAVA_LONG, 16, waitArg.address() + GETEVENTS_ARG_SIZE);
        // The submission array maps ring slots to SQE indexes: slot i always names SQE i.
        long array = params.get(ValueLayout.JAVA_INT, Params.SQ_ARRAY);
        for (int i = 0; i < sqEntries; i++) {
            sqRing.set(ValueLayout.JAVA_INT, array + 4L * i, i);
        }
    }

    /**
     * Sets up a ring of at least {@code entries} submission slots (the kernel rounds up to a power
     * of two) with the {@code IORING_SETUP_*} {@code flags}, and maps its memory.
     *
     * @throws IOException naming the failed call and the kernel's reason: {@code EPERM} or
     *         {@code ENOSYS} where io_uring is disabled (a container's seccomp profile,
     *         {@code kernel.io_uring_disabled}), {@code EINVAL} for a bad size or flag
     */
    public static Ring open(int entries, int flags) throws IOException {
        return open(entries, flags, 0);
    }

    /**
     * Sets up a ring as {@link #open(int, int)} does, cooperative where the kernel can
     * ({@code IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG}, Linux 5.19): a completion
     * that needs the submitting thread's help (a receive retried once data came, say) does not
     * interrupt that thread while it runs Java code; the thread does it at its next system call
     * or timer tick, and {@link #taskRunPending()} tells a reaper that such work waits. A kernel
     * that refuses the flags ({@code EINVAL}) gets a plain ring.
     */
    public static Ring openCooperative(int entries) throws IOException {
        return open(entries, SETUP_COOP_TASKRUN | SETUP_TASKRUN_FLAG, 0);
    }

    /** Sets up a ring with {@code flags}, or, if the kernel refuses them as invalid, with {@code fallback}. */
    static Ring open(int entries, int flags, int fallback) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = arena.allocate(Params.SIZE, 8);
            params.set(ValueLayout.JAVA_INT, Params.FLAGS, flags);
            long fd = LibC.syscall(LibC.SYS_IO_URING_SETUP, entries, params.address(), 0, 0, 0, 0);
            if (fd < 0) {
                int errno = LibC.errno();
                if (errno == LibC.EINVAL && flags != fallback) {
                    return open(entries, fallback, fallback);
                }
                throw LibC.failure("io_uring_setup(" + entries + " entries, flags 0x" + Integer.toHexString(flags) + ")", errno);
            }
            int ring = (int) fd;
            long sqBytes = params.get(ValueLayout.JAVA_INT, Params.SQ_ARRAY) + 4L * params.get(ValueLayout.JAVA_INT, Params.SQ_ENTRIES);
            long cqBytes = params.get(ValueLayout.JAVA_INT, Params.CQ_CQES) + (long) CQE_SIZE * params.get(ValueLayout.JAVA_INT, Params.CQ_ENTRIES);
            boolean single = (params.get(ValueLayout.JAVA_INT, Params.FEATURES) & FEAT_SINGLE_MMAP) != 0;
            long sqAddr = LibC.MAP_FAILED;
            long cqAddr = LibC.MAP_FAILED;
            long sqesBytes = (long) SQE_SIZE * params.get(ValueLayout.JAVA_INT, Params.SQ_ENTRIES);
            try {
                if (single) {
                    sqBytes = cqBytes = Math.max(sqBytes, cqBytes);
                }
                sqAddr = map(ring, sqBytes, OFF_SQ_RING);
                cqAddr = single ? sqAddr : map(ring, cqBytes, OFF_CQ_RING);
                long sqesAddr = map(ring, sqesBytes, OFF_SQES);
                return new Ring(ring, params, MemorySegment.ofAddress(sqAddr).reinterpret(sqBytes),
                        MemorySegment.ofAddress(cqAddr).reinterpret(cqBytes), MemorySegment.ofAddress(sqesAddr).reinterpret(sqesBytes),
                        sqBytes, cqBytes, single);
            } catch (IOException | RuntimeException e) {
                // Whatever was mapped goes with the descriptor: nothing of a failed setup stays open.
                if (sqAddr != LibC.MAP_FAILED) {
                    LibC.munmap(sqAddr, sqBytes);
                }
                if (!single && cqAddr != LibC.MAP_FAILED) {
                    LibC.munmap(cqAddr, cqBytes);
                }
                LibC.close(ring);
                throw e;
            }
        }
    }

    private static long map(int fd, long bytes, long offset) throws IOException {
        long addr = LibC.mmap(0, bytes, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED | LibC.MAP_POPULATE, fd, offset);
        if (addr == LibC.MAP_FAILED) {
            throw LibC.failure("mmap of io_uring region 0x" + Long.toHexString(offset), LibC.errno());
        }
        return addr;
    }

    /** The ring's {@code IORING_FEAT_*} bits, as the kernel reported them at setup. */
    public int features() {
        return features;
    }

    /** Whether the kernel took {@link #openCooperative}'s flags. */
    public boolean cooperative() {
        return cooperative;
    }

    /** Submission slots: the most operations prepared and not yet consumed by the kernel. */
    public int entries() {
        return sqEntries;
    }

    /**
     * Prepares an operation in the next free submission slot, all its other fields zero: the
     * {@link Sqe} setters fill in the rest before the next {@link #publish}.
     *
     * @return the offset of the entry in {@link #sqes()}, or -1 if every slot holds an operation
     *         the kernel has not consumed yet (publish and enter, then try again)
     */
    public long prepare(byte opcode, int fd, long addr, int len, long off, long userData) {
        int head = (int) INT.getAcquire(sqRing, sqHeadOff);
        if (sqTail - head >= sqEntries) {
            return -1;
        }
        long sqe = (long) (sqTail & sqMask) * SQE_SIZE;
        for (long b = 0; b < SQE_SIZE; b += 8) {
            sqes.set(ValueLayout.JAVA_LONG, sqe + b, 0L);
        }
        sqes.set(ValueLayout.JAVA_BYTE, sqe + Sqe.OPCODE, opcode);
        sqes.set(ValueLayout.JAVA_INT, sqe + Sqe.FD, fd);
        sqes.set(ValueLayout.JAVA_LONG, sqe + Sqe.OFF, off);
        sqes.set(ValueLayout.JAVA_LONG, sqe + Sqe.ADDR, addr);
        sqes.set(ValueLayout.JAVA_INT, sqe + Sqe.LEN, len);
        sqes.set(ValueLayout.JAVA_LONG, sqe + Sqe.USER_DATA, userData);
        sqTail++;
        return sqe;
    }

    /** The submission entries, for the {@link Sqe} setters. */
    public MemorySegment sqes() {
        return sqes;
    }

    /** Makes the prepared entries visible to the kernel, which consumes them at the next {@link #enter}. */
    public void publish() {
        INT.setRelease(sqRing, sqTailOff, sqTail);
    }

    /** Published entries the kernel has not consumed yet. */
    public int unsubmitted() {
        return (int) INT.getAcquire(sqRing, sqTailOff) - (int) INT.getAcquire(sqRing, sqHeadOff);
    }

    /** Whether the kernel has posted completions that {@link #reap} has not handed over yet. */
    public boolean hasCompletions() {
        return (int) INT.getAcquire(cqRing, cqTailOff) != (int) INT.get(cqRing, cqHeadOff);
    }

    /**
     * Whether completions overflowed the completion ring ({@code IORING_SQ_CQ_OVERFLOW}): the
     * kernel keeps them ({@code IORING_FEAT_NODROP}) until an enter that asks for events moves
     * them in, which {@link #moveOverflow()} does.
     */
    public boolean overflowed() {
        return ((int) INT.getAcquire(sqRing, sqFlagsOff) & SQ_CQ_OVERFLOW) != 0;
    }

    /**
     * Whether completions wait for a thread that submitted to this cooperative ring to enter the
     * kernel ({@code IORING_SQ_TASKRUN}): any system call of that thread posts them.
     */
    public boolean taskRunPending() {
        return ((int) INT.getAcquire(sqRing, sqFlagsOff) & SQ_TASKRUN) != 0;
    }

    /** Moves completions the kernel kept back for want of room into the completion ring. */
    public void moveOverflow() throws IOException {
        long n = LibC.syscall(LibC.SYS_IO_URING_ENTER, fd, 0, 0, ENTER_GETEVENTS, 0, 0);
        if (n < 0 && LibC.errno() != LibC.EINTR) {
            throw LibC.failure("io_uring_enter(flush the completion overflow)", LibC.errno());
        }
    }

    /**
     * Publishes the prepared operations, submits them and, if {@code minComplete} is positive,
     * waits until at least that many completions are there to reap: for a single owner.
     *
     * @return how many operations the kernel consumed
     * @throws IOException naming the kernel's reason if {@code io_uring_enter} failed
     */
    public int submit(int minComplete) throws IOException {
        publish();
        return enter(minComplete, -1);
    }

    /**
     * Submits every published entry and, if {@code minComplete} is positive, waits until that
     * many completions are there to reap or, if {@code timeoutNanos} is positive, that much time
     * has passed ({@code IORING_ENTER_EXT_ARG}, Linux 5.11). A wait that a signal interrupts is
     * retried.
     *
     * @return how many operations the kernel consumed
     * @throws IOException naming the kernel's reason if {@code io_uring_enter} failed
     */
    public int enter(int minComplete, long timeoutNanos) throws IOException {
        return enter(true, minComplete, timeoutNanos);
    }

    /**
     * Waits as {@link #enter(int, long)} does, submitting nothing: a wait takes none of the
     * kernel's submission lock, so it never holds up a thread that submits meanwhile.
     */
    public int await(int minComplete, long timeoutNanos) throws IOException {
        return enter(false, minComplete, timeoutNanos);
    }

    private int enter(boolean submit, int minComplete, long timeoutNanos) throws IOException {
        int flags = minComplete > 0 ? ENTER_GETEVENTS : 0;
        long arg = 0;
        long argSize = 0;
        if (minComplete > 0 && timeoutNanos > 0) {
            flags |= ENTER_EXT_ARG;
            waitArg.set(ValueLayout.JAVA_LONG, GETEVENTS_ARG_SIZE, timeoutNanos / 1_000_000_000L);
            waitArg.set(ValueLayout.JAVA_LONG, GETEVENTS_ARG_SIZE + 8, timeoutNanos % 1_000_000_000L);
            arg = waitArg.address();
            argSize = GETEVENTS_ARG_SIZE;
        }
        for (;;) {
            int toSubmit = submit ? unsubmitted() : 0;
            long n = LibC.syscall(LibC.SYS_IO_URING_ENTER, fd, toSubmit, minComplete, flags, arg, argSize);
            if (n >= 0) {
                return (int) n;
            }
            int errno = LibC.errno();
            if (errno == LibC.ETIME) {
                return 0;
            }
            if (errno != LibC.EINTR) {
                throw LibC.failure("io_uring_enter(" + toSubmit + " to submit, wait for " + minComplete + ")", errno);
            }
        }
    }

    /**
     * Hands every completion the kernel has posted to {@code handler}, in order, and gives their
     * slots back.
     *
     * @return how many there were
     */
    public int reap(Completion handler) {
        int head = (int) INT.get(cqRing, cqHeadOff);
        int tail = (int) INT.getAcquire(cqRing, cqTailOff);
        int n = tail - head;
        for (int i = head; i != tail; i++) {
            long cqe = cqesOff + (long) (i & cqMask) * CQE_SIZE;
            handler.complete(cqRing.get(ValueLayout.JAVA_LONG, cqe), cqRing.get(ValueLayout.JAVA_INT, cqe + 8),
                    cqRing.get(ValueLayout.JAVA_INT, cqe + 12));
        }
        INT.setRelease(cqRing, cqHeadOff, tail);
        return n;
    }

    /**
     * The operations this kernel supports, by opcode ({@code IORING_REGISTER_PROBE}, Linux 5.6).
     *
     * @throws IOException if the kernel cannot say (then it is older than 5.6)
     */
    public BitSet supportedOpcodes() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment probe = arena.allocate(16 + 8L * PROBE_OPS, 8);
            long r = LibC.syscall(LibC.SYS_IO_URING_REGISTER, fd, REGISTER_PROBE, probe.address(), PROBE_OPS, 0, 0);
            if (r < 0) {
                throw LibC.failure("io_uring_register(IORING_REGISTER_PROBE)", LibC.errno());
            }
            BitSet supported = new BitSet();
            int ops = Byte.toUnsignedInt(probe.get(ValueLayout.JAVA_BYTE, 1));
            for (int i = 0; i < ops; i++) {
                long op = 16 + 8L * i;
                if ((probe.get(ValueLayout.JAVA_SHORT, op + 2) & OP_SUPPORTED) != 0) {
                    supported.set(Byte.toUnsignedInt(probe.get(ValueLayout.JAVA_BYTE, op)));
                }
            }
            return supported;
        }
    }

    /** Unmaps the rings and closes the ring's descriptor; what the kernel still runs is cancelled by it. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        LibC.munmap(sqes.address(), sqes.byteSize());
        LibC.munmap(sqRing.address(), sqRingBytes);
        if (!singleMmap) {
            LibC.munmap(cqRing.address(), cqRingBytes);
        }
        LibC.close(fd);
        waitArena.close();
    }

    /** {@code IORING_FEAT_EXT_ARG}: {@link #enter} can wait with a timeout (Linux 5.11). */
    public static final int FEAT_EXT_ARG = 1 << 8;

    /** {@code IORING_CQE_F_MORE}: the operation (a multishot one) will post more completions. */
    public static final int CQE_F_MORE = 1 << 1;

    /** What a completion is handed to: the operation's user data, its result ({@code -errno} on failure) and flags. */
    @FunctionalInterface
    public interface Completion {
        void complete(long userData, int result, int flags);
    }
}
