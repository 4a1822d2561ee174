package dev.kyoto.runtime.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A plain thread publishes increasing values while tasks follow them with changed(): each sees
 * strictly increasing values and, without a lost wake-up, the last one. Run free, receivers skip
 * values; in lockstep, each is woken by every send.
 */
class WatchStressTest {

    @Test
    void everyReceiverFollowsToTheLastValueSeeingOnlyNewerOnes() {
        int values = 200_000;
        int receivers = 8;
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Watch.Channel<Integer> ch = Watch.channel(0);
            long start = System.nanoTime();
            long seen = 0;
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(4).build()) {
                List<JoinHandle<Integer>> handles = new ArrayList<>();
                for (int r = 0; r < receivers; r++) {
                    handles.add(rt.spawn(follow(ch.sender().subscribe(), 0, 0, values)));
                }
                Thread sender = Thread.ofPlatform().start(() -> {
                    for (int v = 1; v <= values; v++) {
                        ch.sender().send(v);
                    }
                });
                for (JoinHandle<Integer> h : handles) {
                    seen += rt.blockOn(h);
                }
                sender.join();
            }
            assertEquals(0, ch.receiver().waiterCount());
            System.out.printf("Watch stress: %d values to %d receivers, %d changes seen, in %d ms%n",
                    values, receivers, seen, (System.nanoTime() - start) / 1_000_000);
        });
    }

    /**
     * The sender waits until every receiver has seen a value before it sends the next, so each
     * receiver is woken by every send; a wake-up lost once hangs the test.
     */
    @Test
    void inLockstepEveryReceiverIsWokenByEverySend() {
        int values = 20_000;
        int receivers = 8;
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Watch.Channel<Integer> ch = Watch.channel(0);
            CountDownLatch[] seen = new CountDownLatch[values + 1];
            for (int v = 0; v <= values; v++) {
                seen[v] = new CountDownLatch(receivers);
            }
            long start = System.nanoTime();
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(4).build()) {
                List<JoinHandle<Integer>> handles = new ArrayList<>();
                for (int r = 0; r < receivers; r++) {
                    handles.add(rt.spawn(acknowledge(ch.sender().subscribe(), seen, 0, values)));
                }
                Thread sender = Thread.ofPlatform().start(() -> {
                    try {
                        for (int v = 1; v <= values; v++) {
                            ch.sender().send(v);
                            seen[v].await();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                for (JoinHandle<Integer> h : handles) {
                    assertEquals(values, rt.blockOn(h));
                }
                sender.join();
            }
            System.out.printf("Watch lockstep: %d values, each seen by all %d receivers, in %d ms%n",
                    values, receivers, (System.nanoTime() - start) / 1_000_000);
        });
    }

    private static Async<Integer> acknowledge(Watch.Receiver<Integer> rx, CountDownLatch[] seen, int previous, int last) {
        if (previous == last) {
            return Async.ready(previous);
        }
        return rx.changed().then(v -> {
            if (v != previous + 1) {
                throw new AssertionError("saw " + v + " after " + previous + " although the sender waited");
            }
            seen[v].countDown();
            return acknowledge(rx, seen, v, last);
        });
    }

    /** Waits for changes until {@code last}; yields how many changes it saw. */
    private static Async<Integer> follow(Watch.Receiver<Integer> rx, int previous, int changes, int last) {
        if (previous == last) {
            return Async.ready(changes);
        }
        return rx.changed().then(v -> {
            if (v <= previous) {
                throw new AssertionError("saw " + v + " after " + previous);
            }
            return follow(rx, v, changes + 1, last);
        });
    }
    /**
     * The race WatchLincheckTest.closeRightAfterASendStillDeliversTheValue found, on real threads
     * and the real memory model: each round another thread sends a value and closes while this
     * thread's first poll of changed() runs; the receiver must see the value before the end. It
     * polls again only when its waker was woken, as a task would. 250,000 rounds of at least five
     * calls; each round must finish within 10 s (a lost wake-up), the whole within 5 minutes.
     */
    @Test
    void aValueSentJustBeforeTheCloseIsNeverMissed() {
        int rounds = 250_000;
        assertTimeoutPreemptively(Duration.ofMinutes(5), () -> {
            AtomicReference<Watch.Sender<Integer>> handOff = new AtomicReference<>();
            AtomicInteger wakes = new AtomicInteger();
            Context cx = new Context(wakes::incrementAndGet);
            long start = System.nanoTime();
            Thread sender = Thread.ofPlatform().daemon().start(() -> {
                for (int r = 0; r < rounds; r++) {
                    Watch.Sender<Integer> tx;
                    long deadline = Spin.deadline(ROUND);
                    for (long spins = 0; (tx = handOff.getAndSet(null)) == null; spins++) {
                        if (System.nanoTime() > deadline) {
                            return; // the receiving side failed and says why
                        }
                        Spin.pause(spins);
                    }
                    Spin.jitter(8);
                    tx.send(1);
                    tx.close();
                }
            });
            for (int r = 0; r < rounds; r++) {
                Watch.Channel<Integer> ch = Watch.channel(0);
                Async<Integer> changed = ch.receiver().changed();
                handOff.set(ch.sender());
                int value;
                try {
                    value = pollUntilReady(changed, cx, wakes);
                } catch (ChannelClosedException e) {
                    throw new AssertionError("round " + r + ": changed() reported the close before the value sent ahead of it", e);
                }
                assertEquals(1, value);
                try {
                    int after = pollUntilReady(ch.receiver().changed(), cx, wakes);
                    throw new AssertionError("round " + r + ": a value after the close: " + after);
                } catch (ChannelClosedException expected) {
                    // the end, after the value
                }
            }
            sender.join();
            System.out.printf("Watch send-then-close race: %d rounds in %d ms%n", rounds, (System.nanoTime() - start) / 1_000_000);
        });
    }

    private static final Duration ROUND = Duration.ofSeconds(10);

    /** Polls {@code changed} until it completes, polling again only after a wake, as a task does. */
    private static int pollUntilReady(Async<Integer> changed, Context cx, AtomicInteger wakes) throws Exception {
        for (;;) {
            int before = wakes.get();
            Poll<Integer> p = changed.poll(cx);
            if (p.isReady()) {
                return p.value();
            }
            Spin.until(() -> wakes.get() != before, Spin.deadline(ROUND), "changed() to be woken");
        }
    }
}
