package dev.kyoto.io;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Buffers of one size to borrow for a read and give back once the bytes are written, so that a
 * connection waiting for its peer holds no buffer at all: the pool behind {@link Io#copy}, and
 * the way to write a read loop of one's own that neither copies nor keeps memory per idle
 * connection.
 *
 * <pre>{@code
 * // Poll-level: borrow for the read, give back unless the write must wait.
 * ByteBuffer buf = BufferPool.shared().acquire();
 * Poll<Integer> r = stream.pollRead(cx, buf);
 * if (r.isPending()) { BufferPool.shared().release(buf); return Poll.pending(); }
 * }</pre>
 *
 * <h2>Why direct buffers</h2>
 * A socket read into a heap buffer is two copies: the JDK reads into a temporary direct buffer of
 * its own and then copies into the heap array (and a write the same in reverse). The shared pool's
 * buffers are direct, so the kernel copies straight into them; a direct buffer is costly to
 * allocate and freed only by the garbage collector, which is why they are kept and reused rather
 * than made per read. {@link #heap} makes a pool of heap buffers, for comparison or for code that
 * needs {@link ByteBuffer#array()}.
 *
 * <h2>Where the buffers live</h2>
 * Each platform thread keeps up to {@value #THREAD_CACHE} buffers of its own (a runtime's workers
 * are platform threads), so that borrowing and giving back on the same thread, the common case,
 * touches no shared state. A buffer given back to a thread whose cache is full goes to one shared
 * queue of at most {@value #SHARED_CACHE} buffers, where any thread finds it; beyond that it is
 * dropped for the collector. Virtual threads use only the shared queue: a cache per virtual thread
 * would be memory per connection again. Memory held by the pool is therefore bounded by
 * {@code bufferSize × (THREAD_CACHE × threads + SHARED_CACHE)}.
 *
 * <h2>Rules</h2>
 * Give a buffer back once, and stop using it then: the pool hands it to the next borrower. A
 * buffer that is never given back is no leak, only a miss: the collector frees it. Safe for use
 * by any number of threads.
 */
public final class BufferPool {
    /** The size of the shared pool's buffers: 64 KiB, the largest read Netty's adaptive allocator makes. */
    public static final int DEFAULT_BUFFER_SIZE = 64 * 1024;
    /** How many buffers each platform thread keeps for itself. */
    public static final int THREAD_CACHE = 4;
    /** How many buffers the pool keeps for every thread to share, beyond the threads' own. */
    public static final int SHARED_CACHE = 64;

    private static final BufferPool SHARED = new BufferPool(DEFAULT_BUFFER_SIZE, true);

    private final int bufferSize;
    private final boolean direct;
    /** Each platform thread's own buffers; read and written only by that thread. */
    private final ThreadLocal<ThreadCache> local = ThreadLocal.withInitial(ThreadCache::new);
    /**
     * Buffers any thread may take. {@code sharedCount} is at least the queue's size: it is raised
     * before a buffer is offered and lowered after one is polled, so the queue never holds more
     * than {@value #SHARED_CACHE}.
     */
    private final ConcurrentLinkedQueue<ByteBuffer> shared = new ConcurrentLinkedQueue<>();
    private final AtomicInteger sharedCount = new AtomicInteger();

    private BufferPool(int bufferSize, boolean direct) {
        this.bufferSize = bufferSize;
        this.direct = direct;
    }

    /** {@return the pool of direct buffers of {@value #DEFAULT_BUFFER_SIZE} bytes that {@link Io#copy} uses} */
    public static BufferPool shared() {
        return SHARED;
    }

    /**
     * A new pool of direct buffers of {@code bufferSize} bytes, cached like the shared one. Keep
     * one per size for the life of the application; a pool per connection caches nothing.
     *
     * @param bufferSize each buffer's capacity in bytes, at least 1
     * @return the new pool
     * @throws IllegalArgumentException if {@code bufferSize} is less than 1
     */
    public static BufferPool direct(int bufferSize) {
        return new BufferPool(checkSize(bufferSize), true);
    }

    /**
     * A new pool of heap buffers of {@code bufferSize} bytes: for code that needs the buffer's
     * array, or to measure what the direct pool saves.
     *
     * @param bufferSize each buffer's capacity in bytes, at least 1
     * @return the new pool
     * @throws IllegalArgumentException if {@code bufferSize} is less than 1
     */
    public static BufferPool heap(int bufferSize) {
        return new BufferPool(checkSize(bufferSize), false);
    }

    private static int checkSize(int bufferSize) {
        if (bufferSize < 1) {
            throw new IllegalArgumentException("a pool's buffers must hold at least 1 byte, asked for " + bufferSize);
        }
        return bufferSize;
    }

    /** {@return the capacity in bytes of every buffer of this pool} */
    public int bufferSize() {
        return bufferSize;
    }

    /** {@return whether this pool's buffers are direct} */
    public boolean isDirect() {
        return direct;
    }

    /**
     * Borrows a buffer: this thread's own if it has one, else a shared one, else a new one.
     *
     * @return a buffer of {@link #bufferSize()} bytes, cleared (position 0, limit its capacity)
     */
    public ByteBuffer acquire() {
        ByteBuffer b = null;
        if (!Thread.currentThread().isVirtual()) {
            b = local.get().pop();
        }
        if (b == null) {
            b = shared.poll();
            if (b != null) {
                sharedCount.decrementAndGet();
            }
        }
        if (b == null) {
            return direct ? ByteBuffer.allocateDirect(bufferSize) : ByteBuffer.allocate(bufferSize);
        }
        return b.clear();
    }

    /**
     * Gives a buffer back. The caller must not use it afterwards.
     *
     * @param buffer a buffer this pool's {@link #acquire} returned, given back once
     * @throws IllegalArgumentException if {@code buffer} cannot be one of this pool's: its capacity or
     *         kind (direct or heap) differs, or it is a slice or a read-only view
     */
    public void release(ByteBuffer buffer) {
        Objects.requireNonNull(buffer, "buffer");
        if (buffer.capacity() != bufferSize || buffer.isDirect() != direct || buffer.isReadOnly()) {
            throw new IllegalArgumentException("cannot give back " + buffer + " to " + this
                    + ": give a pool back only the buffers its acquire() returned");
        }
        if (!Thread.currentThread().isVirtual() && local.get().push(buffer)) {
            return;
        }
        if (sharedCount.incrementAndGet() <= SHARED_CACHE) {
            shared.offer(buffer);
        } else {
            sharedCount.decrementAndGet();
        }
    }

    @Override
    public String toString() {
        return "BufferPool[" + (direct ? "direct" : "heap") + ", " + bufferSize + " bytes each]";
    }

    /** A platform thread's own buffers: a stack, touched only by that thread. */
    private static final class ThreadCache {
        private final ByteBuffer[] buffers = new ByteBuffer[THREAD_CACHE];
        private int size;

        ByteBuffer pop() {
            if (size == 0) {
                return null;
            }
            ByteBuffer b = buffers[--size];
            buffers[size] = null;
            return b;
        }

        boolean push(ByteBuffer b) {
            if (size == THREAD_CACHE) {
                return false;
            }
            buffers[size++] = b;
            return true;
        }
    }
}
