package dev.kyoto.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class BufferPoolTest {

    @Test
    void theSharedPoolLendsClearedDirectBuffersOfItsSize() {
        BufferPool pool = BufferPool.shared();
        ByteBuffer b = pool.acquire();
        assertTrue(b.isDirect());
        assertEquals(BufferPool.DEFAULT_BUFFER_SIZE, b.capacity());
        b.put((byte) 1).limit(10);
        pool.release(b);
        ByteBuffer again = pool.acquire();
        assertSame(b, again, "given back on this thread, lent again on this thread");
        assertEquals(0, again.position());
        assertEquals(again.capacity(), again.limit(), "lent cleared");
        pool.release(again);
    }

    @Test
    void aHeapPoolLendsArrays() {
        BufferPool pool = BufferPool.heap(100);
        ByteBuffer b = pool.acquire();
        assertFalse(b.isDirect());
        assertTrue(b.hasArray());
        assertEquals(100, b.capacity());
        assertFalse(pool.isDirect());
        assertEquals(100, pool.bufferSize());
    }

    @Test
    void aForeignBufferIsRefusedWithTheRule() {
        BufferPool pool = BufferPool.direct(512);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pool.release(ByteBuffer.allocate(512)));
        assertTrue(e.getMessage().contains("only the buffers its acquire() returned"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> pool.release(ByteBuffer.allocateDirect(511)));
        assertThrows(IllegalArgumentException.class, () -> pool.release(pool.acquire().asReadOnlyBuffer()));
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class, () -> BufferPool.heap(0));
        assertTrue(size.getMessage().contains("at least 1 byte"), size.getMessage());
    }

    /** A platform thread keeps a few for itself; the rest go to the shared queue, bounded. */
    @Test
    void whatAThreadCannotKeepIsSharedUpToTheBound() throws Exception {
        BufferPool pool = BufferPool.direct(64);
        int n = BufferPool.THREAD_CACHE + BufferPool.SHARED_CACHE + 10;
        List<ByteBuffer> given = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            given.add(pool.acquire());
        }
        given.forEach(pool::release);
        Set<ByteBuffer> known = Collections.newSetFromMap(new IdentityHashMap<>());
        known.addAll(given);
        // Another thread sees only the shared ones: all of them, and no more.
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            int reused = other.submit(() -> {
                int hits = 0;
                for (int i = 0; i < n; i++) {
                    if (known.contains(pool.acquire())) {
                        hits++;
                    }
                }
                return hits;
            }).get(30, TimeUnit.SECONDS);
            assertEquals(BufferPool.SHARED_CACHE, reused, "the shared queue kept exactly its bound");
        } finally {
            other.shutdownNow();
        }
        for (int i = 0; i < BufferPool.THREAD_CACHE; i++) {
            assertTrue(known.contains(pool.acquire()), "this thread kept its own " + BufferPool.THREAD_CACHE);
        }
        assertFalse(known.contains(pool.acquire()), "and no more");
    }

    @Test
    void virtualThreadsKeepNothingOfTheirOwn() throws Exception {
        BufferPool pool = BufferPool.direct(64);
        AtomicReference<ByteBuffer> released = new AtomicReference<>();
        Thread.ofVirtual().start(() -> {
            ByteBuffer b = pool.acquire();
            released.set(b);
            pool.release(b);
        }).join();
        assertSame(released.get(), pool.acquire(), "a virtual thread's buffer went to the shared queue");
    }

    /** Many threads borrowing and giving back at once: a buffer is never lent to two borrowers. */
    @Test
    void aBufferIsNeverLentTwiceAtOnce() throws Exception {
        BufferPool pool = BufferPool.direct(16);
        int threads = 6;
        int rounds = 20_000;
        // ByteBuffer's equals compares contents: the set must compare identities.
        Set<ByteBuffer> out = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService exec = Executors.newFixedThreadPool(threads / 2);
        ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Runnable body = () -> {
                    try {
                        start.await(30, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                    List<ByteBuffer> mine = new ArrayList<>();
                    for (int i = 0; i < rounds; i++) {
                        ByteBuffer b = pool.acquire();
                        if (!out.add(b)) {
                            throw new AssertionError("lent while already lent: " + b);
                        }
                        mine.add(b);
                        if (mine.size() > (i % 7)) {
                            for (ByteBuffer m : mine) {
                                out.remove(m);
                                pool.release(m);
                            }
                            mine.clear();
                        }
                    }
                    mine.forEach(m -> {
                        out.remove(m);
                        pool.release(m);
                    });
                };
                done.add((t % 2 == 0 ? exec : virtual).submit(body));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            exec.shutdownNow();
            virtual.shutdownNow();
        }
        assertTrue(out.isEmpty());
        assertNotSame(pool.acquire(), pool.acquire());
    }

}
