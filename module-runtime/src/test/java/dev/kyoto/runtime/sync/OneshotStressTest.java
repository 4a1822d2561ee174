package dev.kyoto.runtime.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Handle;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Oneshots completed across workers and from plain threads; a lost wake-up times the test out. */
class OneshotStressTest {

    /** Tokio's ping_pong workload: each round trip is two oneshots and a spawned responder. */
    @Test
    void requestReplyRoundTripsBetweenTasksAllComplete() {
        int chains = 1_000;
        int roundTrips = 100;
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            long start = System.nanoTime();
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(4).build()) {
                List<JoinHandle<Integer>> handles = new ArrayList<>();
                for (int c = 0; c < chains; c++) {
                    handles.add(rt.spawn(roundTrips(0, roundTrips)));
                }
                for (JoinHandle<Integer> h : handles) {
                    assertEquals(roundTrips, rt.blockOn(h));
                }
            }
            System.out.printf("Oneshot ping-pong: %d round trips (%d oneshots) in %d ms%n", chains * roundTrips,
                    2 * chains * roundTrips, (System.nanoTime() - start) / 1_000_000);
        });
    }

    private static Async<Integer> roundTrips(int done, int total) {
        if (done == total) {
            return Async.ready(done);
        }
        return Async.ready(null).then(v -> {
            Oneshot.Channel<Integer> request = Oneshot.channel();
            Oneshot.Channel<Integer> reply = Oneshot.channel();
            Handle.current().spawn(request.receiver().map(n -> reply.sender().send(n + 1)));
            request.sender().send(done);
            return reply.receiver().then(n -> roundTrips(n, total));
        });
    }

    /** Tasks wait on receivers while a plain thread sends into them, racing each first poll. */
    @Test
    void valuesSentFromAPlainThreadReachEveryWaitingTask() {
        int count = 100_000;
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            LinkedBlockingQueue<Oneshot.Sender<Integer>> senders = new LinkedBlockingQueue<>();
            long start = System.nanoTime();
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(4).build()) {
                Thread sender = Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; i < count; i++) {
                            senders.take().send(i);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                List<JoinHandle<Integer>> handles = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    Oneshot.Channel<Integer> ch = Oneshot.channel();
                    handles.add(rt.spawn(ch.receiver()));
                    senders.add(ch.sender());
                }
                for (int i = 0; i < count; i++) {
                    assertEquals(i, rt.blockOn(handles.get(i)));
                }
                sender.join();
            }
            System.out.printf("Oneshot cross-thread: %d values in %d ms%n", count, (System.nanoTime() - start) / 1_000_000);
        });
    }

    /**
     * The test thread sends, after a random pause, just as a task polls the receiver for the
     * first time: often between the receiver finding nothing sent and storing its waker, the
     * window where a receiver that did not re-check would never be woken.
     */
    @Test
    void aSendRacingTheReceiversFirstPollIsNeverLost() {
        int rounds = 20_000;
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            long deadline = Spin.deadline(Duration.ofSeconds(50));
            long start = System.nanoTime();
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(4).build()) {
                for (int r = 0; r < rounds; r++) {
                    Oneshot.Channel<Integer> ch = Oneshot.channel();
                    AtomicBoolean polling = new AtomicBoolean();
                    JoinHandle<Integer> h = rt.spawn(cx -> {
                        polling.set(true);
                        Spin.jitter(16);
                        return ch.receiver().poll(cx);
                    });
                    Spin.until(polling::get, deadline, "the task to poll in round " + r);
                    Spin.jitter(16);
                    ch.sender().send(r);
                    int round = r;
                    Spin.until(h::isFinished, deadline, "the receiver to be woken in round " + round);
                    assertEquals(r, rt.blockOn(h));
                }
            }
            System.out.printf("Oneshot send race: %d rounds in %d ms%n", rounds, (System.nanoTime() - start) / 1_000_000);
        });
    }
}
