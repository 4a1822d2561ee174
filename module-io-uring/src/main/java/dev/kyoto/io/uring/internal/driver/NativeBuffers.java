package dev.kyoto.io.uring.internal.driver;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;

/**
 * The native memory that sockets receive into and send from, in chunks of one size, reused: a
 * connection takes two when it opens and gives them back once the kernel is done with them, so
 * connection churn allocates nothing after warm-up.
 *
 * <p>Chunks are carved from blocks of an automatic arena and never freed by hand: the kernel may
 * still write into a chunk while the ring that owns the operation is being torn down, so the
 * memory is released only by the collector, once the driver is unreachable. Thread-safe; taking
 * and giving back hold a lock for a few instructions.
 */
final class NativeBuffers {
    /** The size of a chunk: the most one receive reads and one send sends. */
    static final int CHUNK = 16 * 1024;
    private static final int CHUNKS_PER_BLOCK = 32;

    private final Arena arena = Arena.ofAuto();
    private final ArrayDeque<MemorySegment> free = new ArrayDeque<>();

    /** A chunk of {@link #CHUNK} bytes. */
    synchronized MemorySegment take() {
        MemorySegment chunk = free.pollLast();
        if (chunk != null) {
            return chunk;
        }
        MemorySegment block = arena.allocate((long) CHUNK * CHUNKS_PER_BLOCK, 4096);
        for (int i = 1; i < CHUNKS_PER_BLOCK; i++) {
            free.addLast(block.asSlice((long) i * CHUNK, CHUNK));
        }
        return block.asSlice(0, CHUNK);
    }

    /** Gives {@code chunk} back; the kernel must be done with it. */
    synchronized void give(MemorySegment chunk) {
        free.addLast(chunk);
    }
}
