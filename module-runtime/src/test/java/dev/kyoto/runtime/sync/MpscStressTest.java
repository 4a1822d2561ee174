package dev.kyoto.runtime.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Millions of messages through bounded channels on a multi-thread runtime, many senders to one
 * receiver, with real threads and no sleeps. Every message carries its sender and sequence
 * number, so the receiver checks each sender's order and that nothing is lost or duplicated.
 */
class MpscStressTest {
    private static final int SENDERS = 8;

    private static long message(int sender, int seq) {
        return ((long) sender << 32) | seq;
    }

    @Test
    void twoMillionMessagesFromEightSendersArriveCompleteAndInOrder() {
        int perSender = 250_000;
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(4).build()) {
                Mpsc.Channel<Long> ch = Mpsc.bounded(64);
                long start = System.nanoTime();
                JoinHandle<long[]> receiver = rt.spawn(new ReceiveAll(ch.receiver()));
                List<JoinHandle<Void>> senders = new ArrayList<>();
                for (int s = 0; s < SENDERS; s++) {
                    senders.add(rt.spawn(new SendAll(ch.sender().copy(), s, perSender, 0)));
                }
                ch.sender().close();
                long[] counts = rt.blockOn(receiver);
                for (JoinHandle<Void> h : senders) {
                    rt.blockOn(h);
                }
                long millis = (System.nanoTime() - start) / 1_000_000;
                for (int s = 0; s < SENDERS; s++) {
                    assertEquals(perSender, counts[s], "messages from sender " + s);
                }
                assertEquals(0, ch.sender().waitingSenders());
                System.out.printf("Mpsc stress: %d messages from %d senders through capacity 64 in %d ms%n",
                        (long) SENDERS * perSender, SENDERS, millis);
            }
        });
    }

    /**
     * Senders that give up waiting for a slot and try again (cancelling the pending send, as a
     * timeout would) churn the waiter queue and hand slots to sends that are then cancelled. A
     * cancelled send that was delivered anyway would show up as a duplicate; a slot lost by a
     * cancel would eventually leave every sender waiting for ever.
     */
    @Test
    void sendersThatKeepGivingUpLoseNoSlotAndDeliverNothingTwice() {
        int perSender = 50_000;
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(4).build()) {
                Mpsc.Channel<Long> ch = Mpsc.bounded(4);
                AtomicLong giveUps = new AtomicLong();
                long start = System.nanoTime();
                JoinHandle<long[]> receiver = rt.spawn(new ReceiveAll(ch.receiver()));
                List<JoinHandle<Void>> senders = new ArrayList<>();
                for (int s = 0; s < SENDERS; s++) {
                    senders.add(rt.spawn(new SendAll(ch.sender().copy(), s, perSender, 3).counting(giveUps)));
                }
                ch.sender().close();
                long[] counts = rt.blockOn(receiver);
                for (JoinHandle<Void> h : senders) {
                    rt.blockOn(h);
                }
                long millis = (System.nanoTime() - start) / 1_000_000;
                for (int s = 0; s < SENDERS; s++) {
                    assertEquals(perSender, counts[s], "messages from sender " + s);
                }
                assertTrue(giveUps.get() > 0, "the test gave up on some sends");
                assertEquals(0, ch.sender().waitingSenders());
                System.out.printf("Mpsc give-up stress: %d messages, %d cancelled sends, capacity 4, in %d ms%n",
                        (long) SENDERS * perSender, giveUps.get(), millis);
            }
        });
    }

    /**
     * Sends {@code count} numbered messages, then closes its sender. With {@code giveUpEvery > 0},
     * every that many pending polls it cancels the waiting send and starts the same message again.
     */
    private static final class SendAll implements Async<Void> {
        private final Mpsc.Sender<Long> tx;
        private final int id;
        private final int count;
        private final int giveUpEvery;
        private AtomicLong giveUps = new AtomicLong();
        private int next;
        private int pendings;
        private Async<Void> inFlight;

        SendAll(Mpsc.Sender<Long> tx, int id, int count, int giveUpEvery) {
            this.tx = tx;
            this.id = id;
            this.count = count;
            this.giveUpEvery = giveUpEvery;
        }

        SendAll counting(AtomicLong counter) {
            giveUps = counter;
            return this;
        }

        @Override
        public Poll<Void> poll(Context cx) throws Exception {
            for (;;) {
                if (inFlight == null) {
                    if (next == count) {
                        tx.close();
                        return Poll.ready(null);
                    }
                    inFlight = tx.send(message(id, next));
                }
                if (inFlight.poll(cx).isReady()) {
                    inFlight = null;
                    next++;
                    continue;
                }
                if (giveUpEvery > 0 && ++pendings % giveUpEvery == 0) {
                    inFlight.cancel();
                    giveUps.incrementAndGet();
                    inFlight = tx.send(message(id, next));
                    if (inFlight.poll(cx).isReady()) {
                        inFlight = null;
                        next++;
                        continue;
                    }
                }
                return Poll.pending();
            }
        }

        @Override
        public void cancel() {
            if (inFlight != null) {
                inFlight.cancel();
            }
            tx.close();
        }
    }

    /** Receives until the channel ends, checking each sender's sequence; yields the counts. */
    private static final class ReceiveAll implements Async<long[]> {
        private final Mpsc.Receiver<Long> rx;
        private final long[] next = new long[SENDERS];

        ReceiveAll(Mpsc.Receiver<Long> rx) {
            this.rx = rx;
        }

        @Override
        public Poll<long[]> poll(Context cx) throws Exception {
            for (;;) {
                Poll<Long> p = rx.recv().poll(cx);
                if (p.isPending()) {
                    return Poll.pending();
                }
                Long m = p.value();
                if (m == null) {
                    return Poll.ready(next);
                }
                int sender = (int) (m >>> 32);
                long seq = m & 0xffff_ffffL;
                if (seq != next[sender]) {
                    throw new AssertionError("sender " + sender + ": expected message " + next[sender] + ", got " + seq);
                }
                next[sender]++;
            }
        }
    }
}
