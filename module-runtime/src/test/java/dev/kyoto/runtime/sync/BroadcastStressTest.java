package dev.kyoto.runtime.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Many senders (tasks and plain threads) and many receiving tasks on a multi-thread runtime, with
 * a ring small enough that receivers lag. Every receiver must account for every value sent: what
 * it received plus what it was told it missed is exactly what was sent, each sender's values
 * arrive in the order sent, and once everything ended the ring holds nothing.
 */
class BroadcastStressTest {

    private record Value(int sender, int seq) {
    }

    /** What one receiving task saw. */
    private static final class Tally {
        final int[] lastSeq;
        long received;
        long missed;
        String error;

        Tally(int senders) {
            lastSeq = new int[senders];
            Arrays.fill(lastSeq, -1);
        }

        boolean take(Value v) {
            if (v.seq() <= lastSeq[v.sender()] && error == null) {
                error = "sender " + v.sender() + " value " + v.seq() + " after " + lastSeq[v.sender()];
            }
            lastSeq[v.sender()] = v.seq();
            received++;
            return true;
        }
    }

    /**
     * A ring of 16 makes receivers lag all the time, one of 4096 now and then; one that holds
     * every value sent makes lag impossible, so each receiver must see the whole sequence.
     */
    @ParameterizedTest
    @ValueSource(ints = {16, 4096, 1 << 19})
    void everyReceiverAccountsForEveryValueSentByManySenders(int capacity) {
        int taskSenders = 4;
        int threadSenders = 2;
        int senders = taskSenders + threadSenders;
        int perSender = 50_000;
        int receivers = 8;
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Broadcast.Channel<Value> ch = Broadcast.channel(capacity);
            List<Broadcast.Receiver<Value>> rxs = new ArrayList<>();
            rxs.add(ch.receiver());
            for (int r = 1; r < receivers; r++) {
                rxs.add(ch.sender().subscribe());
            }
            List<Broadcast.Sender<Value>> txs = new ArrayList<>();
            for (int s = 0; s < senders; s++) {
                txs.add(ch.sender().copy());
            }
            ch.sender().close();
            long start = System.nanoTime();
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(4).build()) {
                List<JoinHandle<Tally>> tallies = new ArrayList<>();
                for (Broadcast.Receiver<Value> rx : rxs) {
                    tallies.add(rt.spawn(receive(rx, senders)));
                }
                List<JoinHandle<Void>> sending = new ArrayList<>();
                for (int s = 0; s < taskSenders; s++) {
                    sending.add(rt.spawn(sendAll(txs.get(s), s, perSender)));
                }
                List<Thread> threads = new ArrayList<>();
                for (int s = taskSenders; s < senders; s++) {
                    Broadcast.Sender<Value> tx = txs.get(s);
                    int id = s;
                    threads.add(Thread.ofPlatform().start(() -> {
                        try (tx) {
                            for (int i = 0; i < perSender; i++) {
                                tx.send(new Value(id, i));
                            }
                        } catch (ChannelClosedException e) {
                            throw new AssertionError(e);
                        }
                    }));
                }
                for (JoinHandle<Void> h : sending) {
                    rt.blockOn(h);
                }
                for (Thread t : threads) {
                    t.join();
                }
                long lagged = 0;
                for (JoinHandle<Tally> h : tallies) {
                    Tally t = rt.blockOn(h);
                    assertEquals(null, t.error);
                    assertEquals((long) senders * perSender, t.received + t.missed, "received " + t.received + ", missed " + t.missed);
                    if (capacity >= senders * perSender) {
                        assertEquals(0, t.missed, "a receiver lagged in a ring that holds every value");
                    }
                    lagged += t.missed;
                }
                System.out.printf("Broadcast stress, capacity %d: %d values from %d senders to %d receivers in %d ms, %d reported missed%n",
                        capacity, (long) senders * perSender, senders, receivers, (System.nanoTime() - start) / 1_000_000, lagged);
            }
            assertEquals(0, rxs.get(0).heldValues(), "values every receiver received are still referenced");
            assertEquals(0, rxs.get(0).waiterCount());
        });
    }

    /**
     * Receivers close themselves part-way while senders keep sending, and others never receive
     * and are closed once the senders are done: closing must release what a receiver held back,
     * so once the rest have drained the ring is empty.
     */
    @Test
    void receiversClosingWhileValuesFlowLeaveNothingHeld() {
        int senders = 4;
        int perSender = 20_000;
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Broadcast.Channel<Value> ch = Broadcast.channel(64);
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(4).build()) {
                List<JoinHandle<Long>> quitters = new ArrayList<>();
                List<JoinHandle<Tally>> stayers = new ArrayList<>();
                stayers.add(rt.spawn(receive(ch.receiver(), senders)));
                List<JoinHandle<Void>> sending = new ArrayList<>();
                for (int s = 0; s < senders; s++) {
                    sending.add(rt.spawn(sendAll(ch.sender().copy(), s, perSender)));
                }
                for (int q = 0; q < 32; q++) {
                    quitters.add(rt.spawn(receiveThenQuit(ch.sender().subscribe(), 100 + q * 50)));
                }
                List<Broadcast.Receiver<Value>> idle = List.of(ch.sender().subscribe(), ch.sender().subscribe());
                ch.sender().close();
                for (JoinHandle<Long> h : quitters) {
                    assertTrue(rt.blockOn(h) >= 0);
                }
                for (JoinHandle<Void> h : sending) {
                    rt.blockOn(h);
                }
                idle.forEach(Broadcast.Receiver::close);
                for (JoinHandle<Tally> h : stayers) {
                    assertEquals(null, rt.blockOn(h).error);
                }
            }
            assertEquals(0, ch.receiver().heldValues(), "a closed receiver still holds values back");
            assertEquals(0, ch.sender().receiverCount());
        });
    }

    private static Async<Void> sendAll(Broadcast.Sender<Value> tx, int id, int count) {
        int[] i = {0};
        return Async.loop(() -> {
            if (i[0] == count) {
                tx.close();
                return Async.ready(false);
            }
            tx.send(new Value(id, i[0]++));
            return i[0] % 32 == 0 ? Async.yieldNow().map(v -> true) : Async.ready(true);
        });
    }

    private static Async<Tally> receive(Broadcast.Receiver<Value> rx, int senders) {
        Tally tally = new Tally(senders);
        return Async.loop(() -> rx.recv().map(tally::take)
                        .recover(Broadcast.LaggedException.class, e -> {
                            tally.missed += e.missed();
                            return true;
                        })
                        .recover(ChannelClosedException.class, e -> false))
                .map(v -> {
                    rx.close();
                    return tally;
                });
    }

    /** Receives (or skips, when lagging) {@code count} values, then closes the receiver. */
    private static Async<Long> receiveThenQuit(Broadcast.Receiver<Value> rx, int count) {
        long[] seen = {0};
        return Async.loop(() -> seen[0] >= count
                        ? Async.ready(false)
                        : rx.recv().map(v -> ++seen[0] > 0)
                                .recover(Broadcast.LaggedException.class, e -> (seen[0] += e.missed()) > 0)
                                .recover(ChannelClosedException.class, e -> false))
                .map(v -> {
                    rx.close();
                    return seen[0];
                });
    }
}
