package dev.kyoto.io.uring.internal.ring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * Buffers provided to one ring for the receives that pick their own ({@code IOSQE_BUFFER_SELECT}):
 * a ring of {@code struct io_uring_buf} entries in memory shared with the kernel, which takes
 * buffers from its head as data comes, and whose tail is ours: a buffer's bytes are read once its
 * completion is reaped, and the buffer is handed back by writing its entry at the tail and
 * publishing the tail with a release store, which the kernel loads with acquire.
 *
 * <p>{@link #recycle} writes the tail and must not run on two threads at once: the driver calls it
 * only while reaping, which one thread at a time does. The memory comes from an automatic arena
 * and is never freed by hand: the kernel may fill a buffer while the ring is torn down.
 */
public final class BufferRing {
    private static final VarHandle SHORT = ValueLayout.JAVA_SHORT.varHandle();
    private static final int ENTRY = 16;
    /** {@code struct io_uring_buf_ring}'s tail: the last two bytes of the first entry's reserved field. */
    private static final long TAIL = 14;

    private final MemorySegment entries;
    private final MemorySegment buffers;
    private final int mask;
    private final int size;
    private final short group;
    /** The next entry to write; its low 16 bits are the tail the kernel sees. */
    private int tail;

    private BufferRing(MemorySegment entries, MemorySegment buffers, int count, int size, short group) {
        this.entries = entries;
        this.buffers = buffers;
        this.mask = count - 1;
        this.size = size;
        this.group = group;
        for (int id = 0; id < count; id++) {
            put(id);
        }
        SHORT.setRelease(entries, TAIL, (short) tail);
    }

    /**
     * Provides {@code count} (a power of two) buffers of {@code size} bytes to {@code ring} as buffer
     * group {@code group}.
     *
     * @return the buffers, or null if the kernel refuses provided-buffer rings (older than 5.19)
     */
    public static BufferRing register(Ring ring, int count, int size, short group) {
        Arena arena = Arena.ofAuto();
        MemorySegment entries = arena.allocate((long) ENTRY * count, 4096);
        MemorySegment buffers = arena.allocate((long) size * count, 4096);
        BufferRing provided = new BufferRing(entries, buffers, count, size, group);
        return ring.registerBufferRing(entries.address(), count, group) == 0 ? provided : null;
    }

    /** The group that receives name in {@code buf_group}. */
    public short group() {
        return group;
    }

    /** The size of every buffer: a receive that fills one may have left bytes in the socket. */
    public int size() {
        return size;
    }

    /** The buffer a completion named, by the id in its flags ({@link Ring#CQE_BUFFER_SHIFT}). */
    public MemorySegment buffer(int id) {
        return buffers.asSlice((long) id * size, size);
    }

    /** Hands buffer {@code id} back to the kernel, once its bytes have been read. By the reaping thread. */
    public void recycle(int id) {
        put(id);
        SHORT.setRelease(entries, TAIL, (short) tail);
    }

    private void put(int id) {
        long at = (long) (tail & mask) * ENTRY;
        entries.set(ValueLayout.JAVA_LONG, at, buffers.address() + (long) id * size);
        entries.set(ValueLayout.JAVA_INT, at + 8, size);
        entries.set(ValueLayout.JAVA_SHORT, at + 12, (short) id);
        tail++;
    }
}
