package dev.kyoto.bench;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.sync.Mpsc;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Bounded channel throughput, 1→1 and 8→1: Kyoto's {@link Mpsc} between tasks on a multi-thread
 * runtime (one worker per core), against {@link ArrayBlockingQueue} and
 * {@link LinkedBlockingQueue} between platform threads, in the same run. Capacity 1,024 on every
 * side; {@value #MESSAGES} messages per invocation, split evenly among the senders; the score is
 * per message. Kyoto's side is written the way a user would: a {@code then} loop of
 * {@code send} and one of {@code recv}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ChannelBench {
    static final int MESSAGES = 100_000;
    static final int CAPACITY = 1_024;
    private static final Integer MESSAGE = 42;

    @State(Scope.Benchmark)
    public static class Senders {
        @Param({"1", "8"})
        int senders;
        KyotoRuntime rt;

        @Setup
        public void setup() {
            rt = KyotoRuntime.builder().multiThread().workerThreads(Runtime.getRuntime().availableProcessors()).build();
        }

        @TearDown
        public void tearDown() {
            rt.close();
        }
    }

    private static Async<Void> sendLoop(Mpsc.Sender<Integer> tx, int remaining) {
        if (remaining == 0) {
            tx.close();
            return Async.ready(null);
        }
        return tx.send(MESSAGE).then(v -> sendLoop(tx, remaining - 1));
    }

    private static Async<Integer> recvLoop(Mpsc.Receiver<Integer> rx, int received) {
        return rx.recv().then(m -> m == null ? Async.ready(received) : recvLoop(rx, received + 1));
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public int kyotoMpsc(Senders s) throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.bounded(CAPACITY);
        List<JoinHandle<Void>> sending = new ArrayList<>(s.senders);
        for (int i = 0; i < s.senders; i++) {
            Mpsc.Sender<Integer> tx = i == s.senders - 1 ? ch.sender() : ch.sender().copy();
            sending.add(s.rt.spawn(sendLoop(tx, MESSAGES / s.senders)));
        }
        int got = s.rt.blockOn(s.rt.spawn(recvLoop(ch.receiver(), 0)));
        for (JoinHandle<Void> h : sending) {
            s.rt.blockOn(h);
        }
        if (got != MESSAGES) {
            throw new IllegalStateException("received " + got + " of " + MESSAGES);
        }
        return got;
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public int arrayBlockingQueue(Senders s) throws InterruptedException {
        return throughThreads(new ArrayBlockingQueue<>(CAPACITY), s.senders);
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public int linkedBlockingQueue(Senders s) throws InterruptedException {
        return throughThreads(new LinkedBlockingQueue<>(CAPACITY), s.senders);
    }

    private static int throughThreads(BlockingQueue<Integer> q, int senders) throws InterruptedException {
        int each = MESSAGES / senders;
        Thread[] threads = new Thread[senders];
        for (int i = 0; i < senders; i++) {
            threads[i] = Thread.ofPlatform().start(() -> {
                try {
                    for (int m = 0; m < each; m++) {
                        q.put(MESSAGE);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        int got = 0;
        for (int m = 0; m < each * senders; m++) {
            q.take();
            got++;
        }
        for (Thread t : threads) {
            t.join();
        }
        return got;
    }
}
