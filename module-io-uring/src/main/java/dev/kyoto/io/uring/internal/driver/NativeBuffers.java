package dev.kyoto.io.uring.internal.driver;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;

/**
 * The native memory that sockets receive into and send from, in two sizes, reused: a connection
 * takes a small chunk for its receive, and one for its sends at its first write; either moves to
 * a large one when its traffic needs it (a receive that filled its chunk, a write of more than a
 * small chunk). So thousands of quiet connections cost little, one busy stream moves 64 KiB per
 * operation, the lock below is taken when a connection opens, closes or grows, never per read or
 * write, and connection churn allocates nothing after warm-up.
 *
 * <p>Chunks are carved from blocks of an automatic arena and never freed by hand: the kernel may
 * still write into a chunk while the ring that owns the operation is being torn down, so the
 * memory is released only by the collector, once the driver is unreachable. Thread-safe; taking
 * and giving back hold a lock for a few instructions.
 */
final class NativeBuffers {
    /** The chunk a receive starts with. */
    static final int SMALL = 4 * 1024;
    /** The chunk of a busy receive, and of every send: the most one operation moves. */
    static final int LARGE = 64 * 1024;
    private static final int BLOCK = 1024 * 1024;

    private final Arena arena = Arena.ofAuto();
    private final ArrayDeque<MemorySegment> small = new ArrayDeque<>();
    private final ArrayDeque<MemorySegment> large = new ArrayDeque<>();

    /** A chunk of {@link #SMALL} or {@link #LARGE} bytes. */
    synchronized MemorySegment take(int size) {
        ArrayDeque<MemorySegment> free = size == SMALL ? small : large;
        MemorySegment chunk = free.pollLast();
        if (chunk != null) {
            return chunk;
        }
        MemorySegment block = arena.allocate(BLOCK, 4096);
        for (long at = size; at < BLOCK; at += size) {
            free.addLast(block.asSlice(at, size));
        }
        return block.asSlice(0, size);
    }

    /** The size of chunk that {@code bytes} to send need: small for a small write, so that many quiet connections stay cheap. */
    static int sizeFor(long bytes) {
        return bytes <= SMALL ? SMALL : LARGE;
    }

    /** Gives {@code chunk} back; the kernel must be done with it. */
    synchronized void give(MemorySegment chunk) {
        (chunk.byteSize() == SMALL ? small : large).addLast(chunk);
    }
}
