package dev.kyoto.runtime.sync;

import static dev.kyoto.runtime.sync.Loom.blockOn;
import static dev.kyoto.runtime.sync.Loom.fork;
import static dev.kyoto.runtime.sync.Loom.model;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Model checks of {@link RwLock}, after Tokio's {@code loom_rwlock.rs}: concurrent readers and
 * writers all get the lock in the end (a lost hand-over is a deadlock Lincheck reports), writes
 * are not lost, and a queued writer that gives up while the last reader leaves lets the readers
 * behind it in.
 */
@Tag("lincheck")
class RwLockLincheckTest {

    /** Tokio's {@code concurrent_write}, with a reader: two writers and a reader, no write lost. */
    @Test
    void concurrentWritersAndAReaderAllGetTheLock() {
        model(100, () -> {
            RwLock<Integer> lock = new RwLock<>(0, 2);
            Loom.Forked a = fork(() -> {
                try (RwLock.WriteGuard<Integer> g = blockOn(lock.write())) {
                    g.set(g.get() + 1);
                }
            });
            Loom.Forked b = fork(() -> {
                try (RwLock.WriteGuard<Integer> g = blockOn(lock.write())) {
                    g.set(g.get() + 1);
                }
            });
            try (RwLock.ReadGuard<Integer> g = blockOn(lock.read())) {
                int seen = g.get();
                assertTrue(seen >= 0 && seen <= 2, "read " + seen);
            }
            a.join();
            b.join();
            assertEquals(2, lock.tryRead().orElseThrow().get());
            assertEquals(0, lock.waiterCount());
        });
    }

    /**
     * A reader holds the lock, a writer and then a reader are queued; the holder leaves while the
     * writer cancels. Whichever comes first, the queued reader gets the lock and the lock ends
     * free.
     */
    @Test
    void aWriterCancellingAsTheLastReaderLeavesLetsTheQueuedReaderIn() {
        model(100, () -> {
            RwLock<Integer> lock = new RwLock<>(0, 2);
            RwLock.ReadGuard<Integer> holder = lock.tryRead().orElseThrow();
            Async<RwLock.WriteGuard<Integer>> writer = lock.write();
            assertTrue(writer.poll(new Context(new Loom.ParkingWaker())).isPending());
            Loom.Forked reader = fork(() -> blockOn(lock.read()).close());
            Loom.Forked leaver = fork(holder::close);
            writer.cancel();
            leaver.join();
            reader.join();
            assertEquals(0, lock.waiterCount());
            assertTrue(lock.tryWrite().isPresent(), "the lock did not end free");
        });
    }
}
