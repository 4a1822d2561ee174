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
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
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
     * Pairs of tasks in lockstep, so that each wake-up has exactly one source and losing it hangs
     * the pair: a producer sends two messages into a channel of capacity 1 (the second send must
     * be woken by the consumer taking the first) and then waits for the consumer's reply on a
     * second channel (the consumer's recv must be woken by each send). Streaming senders would
     * mask a lost wake-up with the next message; here there is no next message.
     */
    @Test
    void pairsInLockstepNeverLoseAWakeUp() {
        int pairs = 8;
        int rounds = 20_000;
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            long start = System.nanoTime();
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(4).build()) {
                List<JoinHandle<Integer>> producers = new ArrayList<>();
                List<JoinHandle<Integer>> consumers = new ArrayList<>();
                for (int p = 0; p < pairs; p++) {
                    Mpsc.Channel<Integer> requests = Mpsc.bounded(1);
                    Mpsc.Channel<Integer> replies = Mpsc.bounded(1);
                    consumers.add(rt.spawn(consume(requests.receiver(), replies.sender(), 0)));
                    producers.add(rt.spawn(produce(requests.sender(), replies.receiver(), 0, rounds)));
                }
                for (int p = 0; p < pairs; p++) {
                    assertEquals(rounds, rt.blockOn(producers.get(p)));
                    assertEquals(rounds, rt.blockOn(consumers.get(p)));
                }
            }
            System.out.printf("Mpsc lockstep: %d pairs x %d rounds, %d messages, in %d ms%n", pairs, rounds,
                    3L * pairs * rounds, (System.nanoTime() - start) / 1_000_000);
        });
    }

    /**
     * The same lockstep with plain threads as producers that spin on trySend: the second message
     * goes in within nanoseconds of the consumer taking the first (which frees the slot), that is
     * while the consumer is between finding the queue empty and storing its waker. That window is
     * where a lost wake-up hides, and a task producer, woken through the scheduler, is far too
     * slow to hit it. The producers spin with a deadline, so a hang ends them too.
     */
    @Test
    void plainThreadsSendingIntoTheReceiversRegistrationWindowNeverLoseAWakeUp() {
        int pairs = 2;
        int rounds = 30_000;
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            long deadline = Spin.deadline(Duration.ofSeconds(50));
            long start = System.nanoTime();
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(4).build()) {
                List<JoinHandle<Integer>> consumers = new ArrayList<>();
                List<Thread> producers = new ArrayList<>();
                List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
                for (int p = 0; p < pairs; p++) {
                    Mpsc.Channel<Integer> requests = Mpsc.bounded(1);
                    Mpsc.Channel<Integer> replies = Mpsc.bounded(1);
                    consumers.add(rt.spawn(consume(requests.receiver(), replies.sender(), 0)));
                    producers.add(Thread.ofPlatform().start(() -> {
                        try (Mpsc.Sender<Integer> tx = requests.sender()) {
                            for (int round = 0; round < rounds; round++) {
                                spinUntilSent(tx, 2 * round, deadline);
                                spinUntilSent(tx, 2 * round + 1, deadline);
                                Integer[] reply = new Integer[1];
                                int r = round;
                                Spin.until(() -> (reply[0] = tryRecv(replies.receiver())) != null, deadline, "the reply to round " + r);
                                assertEquals(round, reply[0]);
                            }
                        } catch (Throwable t) {
                            failures.add(t);
                        }
                    }));
                }
                for (Thread t : producers) {
                    t.join();
                }
                assertEquals(List.of(), failures);
                for (JoinHandle<Integer> c : consumers) {
                    assertEquals(rounds, rt.blockOn(c));
                }
            }
            System.out.printf("Mpsc spinning producers: %d pairs x %d rounds in %d ms%n", pairs, rounds,
                    (System.nanoTime() - start) / 1_000_000);
        });
    }

    /** Spins on trySend with a random pause, so the send lands at a spread of moments after a slot frees. */
    private static void spinUntilSent(Mpsc.Sender<Integer> tx, int message, long deadline) throws ChannelClosedException {
        while (!tx.trySend(message)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting for a free slot for message " + message + ": a wake-up was lost");
            }
            Spin.jitter(8);
        }
    }

    private static Integer tryRecv(Mpsc.Receiver<Integer> rx) {
        try {
            return rx.tryRecv().orElse(null);
        } catch (ChannelClosedException e) {
            throw new AssertionError(e);
        }
    }

    private static Async<Integer> produce(Mpsc.Sender<Integer> tx, Mpsc.Receiver<Integer> replies, int round, int rounds) {
        if (round == rounds) {
            tx.close();
            return Async.ready(round);
        }
        return tx.send(2 * round)
                .then(v -> tx.send(2 * round + 1))
                .then(v -> replies.recv())
                .then(reply -> {
                    if (reply != round) {
                        throw new AssertionError("reply " + reply + " to round " + round);
                    }
                    return produce(tx, replies, round + 1, rounds);
                });
    }

    private static Async<Integer> consume(Mpsc.Receiver<Integer> rx, Mpsc.Sender<Integer> replies, int round) {
        return rx.recv().then(first -> {
            if (first == null) {
                replies.close();
                return Async.ready(round);
            }
            return rx.recv().then(second -> {
                if (first != 2 * round || second != 2 * round + 1) {
                    throw new AssertionError("round " + round + " got " + first + ", " + second);
                }
                return replies.send(round).then(v -> consume(rx, replies, round + 1));
            });
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

    /**
     * The property behind MpscLincheckTest.tryRecvSeesASendThatHappenedBefore on real threads and
     * the real memory model, which Lincheck's sequentially consistent one does not show: two
     * senders race, and whenever the receiver knows that the counted sender's next message was
     * sent, tryRecv must find a message, even with the other sender between its swap and its link.
     * A million sends.
     */
    @Test
    void tryRecvFindsEverySendThatCompletedBeforeIt() {
        int perSender = 500_000;
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Mpsc.Channel<Integer> ch = Mpsc.unbounded();
            Mpsc.Sender<Integer> other = ch.sender().copy();
            AtomicInteger completed = new AtomicInteger();
            long start = System.nanoTime();
            Thread noise = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < perSender; i++) {
                    trySend(other, -1);
                }
            });
            Thread counted = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < perSender; i++) {
                    trySend(ch.sender(), i);
                    completed.set(i + 1);
                }
            });
            long deadline = Spin.deadline(Duration.ofSeconds(50));
            int received = 0;
            long spins = 0;
            for (int total = 0; total < 2 * perSender; ) {
                int sent = completed.get();
                Integer m = ch.receiver().tryRecv().orElse(null);
                if (m == null) {
                    if (sent > received) {
                        throw new AssertionError("message " + received + " of the counted sender was sent before this tryRecv, which found nothing");
                    }
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("gave up after " + total + " messages: a message was lost");
                    }
                    Spin.pause(spins++);
                    continue;
                }
                total++;
                if (m >= 0) {
                    if (m != received) {
                        throw new AssertionError("expected message " + received + " of the counted sender, got " + m);
                    }
                    received++;
                }
            }
            noise.join();
            counted.join();
            System.out.printf("Mpsc tryRecv against racing senders: %d messages in %d ms%n",
                    2L * perSender, (System.nanoTime() - start) / 1_000_000);
        });
    }

    private static void trySend(Mpsc.Sender<Integer> tx, int message) {
        try {
            if (!tx.trySend(message)) {
                throw new AssertionError("an unbounded channel refused a message");
            }
        } catch (ChannelClosedException e) {
            throw new AssertionError(e);
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
