package dev.kyoto.io.internal.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.io.Interest;
import dev.kyoto.runtime.Context;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The selector is rebuilt over and over on the thread that turns it, while other threads
 * register pipes, arm write interest and re-arm read interest: every registration and interest
 * change must reach the selector in use, so every waiter whose pipe becomes ready is woken.
 */
class SelectorRebuildRaceTest {
    /** Registrations the rebuild has to move besides the ones under test, so that it takes a while. */
    private static final int BACKGROUND = 200;
    private static final int THREADS = 2;
    private static final int ROUNDS = 150;
    private static final long WAKE_TIMEOUT_SECONDS = 10;

    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

    @Test
    void registrationsAndInterestChangesDuringRebuildsAreNeverLost() throws Exception {
        SelectorReactor reactor = new SelectorReactor(Selector.open(), new SpinPolicy(0));
        List<Pipe> background = new ArrayList<>();
        try {
            for (int i = 0; i < BACKGROUND; i++) {
                Pipe p = Pipe.open();
                background.add(p);
                reactor.register(p.source(), Interest.READABLE);
            }
            AtomicLong rebuilds = new AtomicLong();
            assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
                Thread driver = Thread.ofPlatform().name("reactor-driver").start(() -> {
                    try {
                        while (!Thread.currentThread().isInterrupted()) {
                            reactor.park(1_000_000);
                            reactor.rebuildSelector();
                            rebuilds.incrementAndGet();
                        }
                    } catch (Throwable t) {
                        failures.add("the driver failed: " + t);
                    }
                });
                List<Thread> workers = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    workers.add(Thread.ofPlatform().name("registrar-" + t).start(() -> {
                        try {
                            for (int round = 0; round < ROUNDS && failures.isEmpty(); round++) {
                                readerRound(reactor, round);
                                writerRound(reactor, round);
                            }
                        } catch (Throwable e) {
                            failures.add(Thread.currentThread().getName() + " failed: " + e);
                        }
                    }));
                }
                for (Thread w : workers) {
                    w.join();
                }
                driver.interrupt();
                reactor.unpark();
                driver.join();
            });
            assertEquals(List.of(), List.copyOf(failures));
            assertTrue(rebuilds.get() > 10, "the selector was rebuilt while the registrars ran: " + rebuilds.get());
        } finally {
            reactor.shutdown();
            for (Pipe p : background) {
                p.source().close();
                p.sink().close();
            }
        }
    }

    /** Waits for a wake; records a failure naming the step if none comes. */
    private boolean awaitWake(Semaphore woken, String step, int round) throws InterruptedException {
        if (woken.tryAcquire(WAKE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            return true;
        }
        failures.add("round " + round + " on " + Thread.currentThread().getName() + ": " + step + " never woke its waiter");
        return false;
    }

    /**
     * A new registration for read, woken by data; left undrained through blocking turns (which
     * disarm read interest), then drained and cleared (which re-arms it), and woken by data again.
     */
    private void readerRound(SelectorReactor reactor, int round) throws IOException, InterruptedException {
        Pipe p = Pipe.open();
        Semaphore woken = new Semaphore(0);
        Context cx = new Context(woken::release);
        Registration r = reactor.register(p.source(), Interest.READABLE);
        try {
            assertEquals(Registration.PENDING, r.pollReadReady(cx));
            p.sink().write(ByteBuffer.wrap(new byte[] {1}));
            if (!awaitWake(woken, "data on a new registration", round)) {
                return;
            }
            int event = r.pollReadReady(cx);
            assertNotEquals(Registration.PENDING, event);
            long turns = reactor.turnCount();
            while (reactor.turnCount() < turns + 2) {
                // Blocking turns that find the readiness undrained disarm read interest.
                Thread.yield();
            }
            ByteBuffer buf = ByteBuffer.allocate(16);
            assertEquals(1, p.source().read(buf));
            r.clearReadReady(event);
            woken.drainPermits();
            if (r.pollReadReady(cx) == Registration.PENDING) {
                p.sink().write(ByteBuffer.wrap(new byte[] {2}));
                awaitWake(woken, "data after read interest was re-armed", round);
            }
        } finally {
            r.deregister();
            p.source().close();
            p.sink().close();
        }
    }

    /** A new registration for write, filled until a write would block (arming write interest), then drained. */
    private void writerRound(SelectorReactor reactor, int round) throws IOException, InterruptedException {
        Pipe p = Pipe.open();
        Semaphore woken = new Semaphore(0);
        Context cx = new Context(woken::release);
        Registration w = reactor.register(p.sink(), Interest.WRITABLE);
        try {
            int event = w.pollWriteReady(cx);
            assertNotEquals(Registration.PENDING, event, "a new registration starts writable");
            ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
            long written = 0;
            for (int n = p.sink().write(chunk); n > 0; n = p.sink().write(chunk.clear())) {
                written += n;
            }
            w.clearWriteReady(event);
            if (w.pollWriteReady(cx) != Registration.PENDING) {
                failures.add("round " + round + ": a full pipe reported writable");
                return;
            }
            ByteBuffer drain = ByteBuffer.allocate(256 * 1024);
            for (long read = 0; read < written; drain.clear()) {
                read += p.source().read(drain);
            }
            awaitWake(woken, "a drained pipe after write interest was armed", round);
        } finally {
            w.deregister();
            p.source().close();
            p.sink().close();
        }
    }
}
