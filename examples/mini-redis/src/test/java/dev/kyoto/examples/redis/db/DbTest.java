package dev.kyoto.examples.redis.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.examples.redis.resp.Frame;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Handle;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.time.TestClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The key space on a paused clock: expiry is exact and takes no wall time. */
@Timeout(60)
class DbTest {
    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    @Test
    void expiryIsLazyOnAccessAndExactToTheNanosecond() throws Exception {
        onPausedClock(() -> {
            Db db = new Db();
            assertTrue(db.set(key("a"), value("1"), 10 * SECOND, SetCondition.ALWAYS));
            return TestClock.advance(Duration.ofSeconds(4)).then(v -> {
                assertEquals(6 * SECOND, db.ttlNanos(key("a")));
                return TestClock.advance(Duration.ofSeconds(6));
            }).map(v -> {
                // No purge task runs here: the key is still stored, and expires when read.
                assertEquals(1, db.size());
                assertNull(db.get(key("a")));
                assertEquals(0, db.size());
                assertEquals(-2, db.ttlNanos(key("a")));
                return null;
            });
        });
    }

    @Test
    void anExpiredKeyIsAbsentForNxXxIncrAndExpire() throws Exception {
        onPausedClock(() -> {
            Db db = new Db();
            for (String k : List.of("nx", "xx", "incr", "expire")) {
                db.set(key(k), value("5"), SECOND, SetCondition.ALWAYS);
            }
            return TestClock.advance(Duration.ofSeconds(1)).map(v -> {
                assertTrue(db.set(key("nx"), value("new"), 0, SetCondition.IF_ABSENT));
                assertEquals(value("new"), db.get(key("nx")));
                assertEquals(-1, db.ttlNanos(key("nx")));
                assertFalse(db.set(key("xx"), value("new"), 0, SetCondition.IF_PRESENT));
                assertEquals(1, db.add(key("incr"), 1));
                assertEquals(-1, db.ttlNanos(key("incr")));
                assertFalse(db.expire(key("expire"), SECOND));
                return null;
            });
        });
    }

    @Test
    void thePurgeTaskRemovesKeysAsTheyComeDueAndWakesForAnEarlierDeadline() throws Exception {
        onPausedClock(() -> {
            Db db = new Db();
            JoinHandle<Void> purge = Handle.current().spawn(db.purgeExpired());
            db.set(key("late"), value("v"), 100 * SECOND, SetCondition.ALWAYS);
            // Let the purge task go to sleep until the late deadline, then set an earlier one.
            return Async.yieldNow().then(v -> {
                db.set(key("early"), value("v"), 2 * SECOND, SetCondition.ALWAYS);
                return TestClock.advance(Duration.ofSeconds(1));
            }).then(v -> {
                assertEquals(2, db.size());
                return TestClock.advance(Duration.ofSeconds(1));
            }).then(v -> settle(db, 1)).then(v -> {
                assertEquals(1, db.size(), "the early key was not purged when it came due");
                assertTrue(db.exists(key("late")));
                return TestClock.advance(Duration.ofSeconds(98));
            }).then(v -> settle(db, 0)).map(v -> {
                assertEquals(0, db.size(), "the late key was not purged when it came due");
                purge.abort();
                return null;
            });
        });
    }

    @Test
    void overwritingOrDeletingAKeyCancelsItsExpiry() throws Exception {
        onPausedClock(() -> {
            Db db = new Db();
            JoinHandle<Void> purge = Handle.current().spawn(db.purgeExpired());
            db.set(key("k"), value("1"), SECOND, SetCondition.ALWAYS);
            db.set(key("k"), value("2"), 0, SetCondition.ALWAYS);
            db.set(key("d"), value("1"), SECOND, SetCondition.ALWAYS);
            assertTrue(db.delete(key("d")));
            db.set(key("d"), value("3"), 0, SetCondition.ALWAYS);
            return TestClock.advance(Duration.ofSeconds(5)).then(v -> settle(db, 0)).map(v -> {
                assertEquals(value("2"), db.get(key("k")));
                assertEquals(value("3"), db.get(key("d")));
                assertEquals(2, db.size());
                purge.abort();
                return null;
            });
        });
    }

    @Test
    void incrementsParseStrictlyAndDetectOverflow() throws Exception {
        onPausedClock(() -> {
            Db db = new Db();
            db.set(key("n"), value("abc"), 0, SetCondition.ALWAYS);
            assertThrows(NumberFormatException.class, () -> db.add(key("n"), 1));
            db.set(key("n"), value(Long.toString(Long.MAX_VALUE)), 0, SetCondition.ALWAYS);
            assertThrows(ArithmeticException.class, () -> db.add(key("n"), 1));
            assertEquals(value(Long.toString(Long.MAX_VALUE)), db.get(key("n")));
            return Async.ready(null);
        });
    }

    /** Threads increment the same keys at once: no increment is lost (INCR is atomic per key). */
    @Test
    void concurrentIncrementsAreNotLost() throws Exception {
        int threads = 4;
        int perThread = 20_000;
        Db db = new Db();
        try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(threads).enableAll().build()) {
            CountDownLatch start = new CountDownLatch(1);
            List<JoinHandle<Void>> tasks = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                tasks.add(rt.spawn(Async.defer(() -> {
                    assertTrue(start.await(30, TimeUnit.SECONDS));
                    for (int i = 0; i < perThread; i++) {
                        db.add(key("counter" + (i % 4)), 1);
                        if (i % 100 == 0) {
                            // A competing expiry change on the same keys, which must not lose increments.
                            db.expire(key("counter" + (i % 4)), 1000 * SECOND);
                        }
                    }
                    return Async.ready(null);
                })));
            }
            start.countDown();
            for (JoinHandle<Void> task : tasks) {
                rt.blockOn(task);
            }
            long total = 0;
            for (int k = 0; k < 4; k++) {
                Key counter = key("counter" + k);
                total += rt.blockOn(Async.defer(() -> Async.ready(Long.parseLong(new String(db.get(counter).bytes(), StandardCharsets.US_ASCII)))));
            }
            assertEquals((long) threads * perThread, total);
        }
    }

    /** Yields until the purge task has brought the key count down to {@code size}, at most 1000 times. */
    private static Async<Void> settle(Db db, long size) {
        int[] turns = {0};
        return Async.loop(() -> db.size() > size && turns[0]++ < 1000 ? Async.yieldNow().map(v -> true) : Async.ready(false));
    }

    private static void onPausedClock(dev.kyoto.runtime.ThrowingSupplier<Async<Void>> body) throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().startPaused(true).build()) {
            rt.blockOn(Async.defer(body));
        }
    }

    private static Key key(String s) {
        return Key.of(s.getBytes(StandardCharsets.UTF_8));
    }

    private static Frame.Bulk value(String s) {
        return Frame.Bulk.of(s);
    }
}
