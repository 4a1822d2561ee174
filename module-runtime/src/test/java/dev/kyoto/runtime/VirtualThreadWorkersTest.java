package dev.kyoto.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.sync.Mpsc;
import dev.kyoto.runtime.time.Time;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code Builder.virtualThreadWorkers()}: the workers are virtual threads, and everything still runs. */
@Timeout(120)
class VirtualThreadWorkersTest {

    private static KyotoRuntime runtime(AtomicInteger started) {
        return KyotoRuntime.builder().multiThread().workerThreads(2).virtualThreadWorkers().enableTime()
                .threadName("vworker").onThreadStart(started::incrementAndGet).build();
    }

    @Test
    void tasksRunOnVirtualWorkersThatTheStartHookSawNamedAsConfigured() throws Exception {
        AtomicInteger started = new AtomicInteger();
        try (KyotoRuntime rt = runtime(started)) {
            String where = rt.blockOn(rt.spawn(Async.defer(() -> Async.ready(
                    Thread.currentThread().isVirtual() + " " + Thread.currentThread().getName()))));
            assertTrue(where.startsWith("true vworker-"), where);
            assertEquals(2, started.get(), "the start hook ran on each worker");
        }
    }

    @Test
    void tasksTimersChannelsAndVirtualTasksWorkTogether() throws Exception {
        AtomicInteger started = new AtomicInteger();
        try (KyotoRuntime rt = runtime(started)) {
            Mpsc.Channel<Integer> ch = Mpsc.bounded(8);
            List<JoinHandle<Void>> producers = new ArrayList<>();
            for (int p = 0; p < 4; p++) {
                Mpsc.Sender<Integer> tx = ch.sender().copy();
                producers.add(rt.spawn(Async.loop(new ThrowingSupplier<Async<Boolean>>() {
                    int i;

                    @Override
                    public Async<Boolean> get() {
                        if (i == 1_000) {
                            tx.close();
                            return Async.ready(false);
                        }
                        return Time.sleep(Duration.ZERO).then(v -> tx.send(i++)).map(v -> true);
                    }
                })));
            }
            ch.sender().close();
            JoinHandle<Long> consumer = rt.spawnVirtual(() -> {
                long sum = 0;
                for (Integer n; (n = ch.receiver().recv().await()) != null; ) {
                    sum += n;
                }
                return sum;
            });
            assertEquals(4L * 999 * 1000 / 2, rt.blockOn(consumer));
            for (JoinHandle<Void> p : producers) {
                rt.blockOn(p);
            }
        }
    }

    @Test
    void aCurrentThreadRuntimeHasNoWorkersToMakeVirtual() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> KyotoRuntime.builder().currentThread().virtualThreadWorkers().build());
        assertTrue(e.getMessage().contains("multiThread().virtualThreadWorkers()"), e.getMessage());
    }
}
