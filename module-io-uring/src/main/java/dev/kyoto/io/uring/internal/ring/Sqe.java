package dev.kyoto.io.uring.internal.ring;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The fields of a submission queue entry, {@code struct io_uring_sqe} (64 bytes), by byte offset;
 * and setters for those that {@link Ring#prepare} leaves zero. Several fields are unions whose
 * meaning depends on the opcode: {@code OFF} is also {@code addr2}, {@code OP_FLAGS} is
 * {@code rw_flags}, {@code msg_flags}, {@code accept_flags}, {@code timeout_flags} or
 * {@code poll32_events}.
 */
public final class Sqe {
    static final long OPCODE = 0;
    static final long FLAGS = 1;
    static final long IOPRIO = 2;
    static final long FD = 4;
    static final long OFF = 8;
    static final long ADDR = 16;
    static final long LEN = 24;
    static final long OP_FLAGS = 28;
    static final long USER_DATA = 32;
    static final long BUF_GROUP = 40;

    /** {@code IOSQE_IO_LINK}: the next entry starts only when this one has completed successfully. */
    public static final byte IO_LINK = 1 << 2;
    /** {@code IOSQE_BUFFER_SELECT}: take the buffer from the provided group in {@code buf_group}. */
    public static final byte BUFFER_SELECT = 1 << 5;

    private Sqe() {
    }

    /** Sets the per-operation flags union of the entry at {@code sqe} (an offset {@link Ring#prepare} returned). */
    public static void opFlags(MemorySegment sqes, long sqe, int flags) {
        sqes.set(ValueLayout.JAVA_INT, sqe + OP_FLAGS, flags);
    }

    /** {@code IORING_ACCEPT_MULTISHOT}, in {@code ioprio}: one accept that completes once per connection until cancelled. */
    public static final short ACCEPT_MULTISHOT = 1;

    /** Sets the entry's {@code ioprio} field, which accept, send and receive use for their own flags. */
    public static void ioprio(MemorySegment sqes, long sqe, short ioprio) {
        sqes.set(ValueLayout.JAVA_SHORT, sqe + IOPRIO, ioprio);
    }

    /** Sets the entry's {@code IOSQE_*} flags. */
    public static void flags(MemorySegment sqes, long sqe, byte flags) {
        sqes.set(ValueLayout.JAVA_BYTE, sqe + FLAGS, flags);
    }
}
