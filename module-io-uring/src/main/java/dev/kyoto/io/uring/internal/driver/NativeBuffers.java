package dev.kyoto.io.uring.internal.driver;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;

/**
 * The native memory that sockets receive into and send from, in three sizes, reused: a connection
 * takes a tiny chunk for its receive, and one of the size its first write needs for its sends;
 * either moves up a size when its traffic needs it (a receive that filled its chunk, a write of
 * more than the chunk holds). So thousands of quiet connections cost little (an idle connection's
 * receive is in flight, and holds its chunk, for as long as the connection waits), one busy stream
 * moves 64 KiB per operation, the lock below is taken when a connection opens, closes or grows,
 * never per read or write, and connection churn allocates nothing after warm-up.
 *
 * <p>Chunks are carved from blocks of an automatic arena and never freed by hand: the kernel may
 * still write into a chunk while the ring that owns the operation is being torn down, so the
 * memory is released only by the collector, once the driver is unreachable. Thread-safe; taking
 * and giving back hold a lock for a few instructions.
 */
final class NativeBuffers {
    /** The chunk a receive starts with, and a small write's: room for a request line or a ping, eight to a page. */
    static final int TINY = 512;
    /** The next size up. */
    static final int SMALL = 4 * 1024;
    /** The chunk of a busy receive or a large write: the most one operation moves. */
    static final int LARGE = 64 * 1024;
    private static final int BLOCK = 1024 * 1024;

    private final Arena arena = Arena.ofAuto();
    private final ArrayDeque<MemorySegment> tiny = new ArrayDeque<>();
    private final ArrayDeque<MemorySegment> small = new ArrayDeque<>();
    private final ArrayDeque<MemorySegment> large = new ArrayDeque<>();

    /** A chunk of {@link #TINY}, {@link #SMALL} or {@link #LARGE} bytes. */
    synchronized MemorySegment take(int size) {
        ArrayDeque<MemorySegment> free = free(size);
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

    /** The size of chunk that {@code bytes} to send need: the smallest that holds them, so that many quiet connections stay cheap. */
    static int sizeFor(long bytes) {
        return bytes <= TINY ? TINY : bytes <= SMALL ? SMALL : LARGE;
    }

    /** The size a receive moves to after it filled a chunk of {@code size}; {@link #LARGE} stays. */
    static int grown(long size) {
        return size == TINY ? SMALL : LARGE;
    }

    /** Gives {@code chunk} back; the kernel must be done with it. */
    synchronized void give(MemorySegment chunk) {
        free((int) chunk.byteSize()).addLast(chunk);
    }

    private ArrayDeque<MemorySegment> free(int size) {
        return switch (size) {
            case TINY -> tiny;
            case SMALL -> small;
            default -> large;
        };
    }
}
