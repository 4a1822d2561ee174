package dev.kyoto.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.time.Time;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A thread whose interrupt flag is set (by a framework's timeout, or an executor shut down with
 * {@code shutdownNow}) drives a current-thread runtime in {@code blockOn}. The JDK makes every
 * blocking select of an interrupted thread return at once, so a driver that selects with the flag
 * set spins a core for as long as it waits and, with nothing timed to wait for, takes the empty
 * returns for the epoll bug and rebuilds its selector every 512 of them. The driver must park as
 * usual, and leave the flag set for the caller to see.
 */
class InterruptedDriverTest {
    /** What the waits below take in all: a few turns, where a spinning driver takes thousands. */
    private static final long MAX_TURNS = 50;

    @Test
    void anInterruptedThreadWaitsForATimerWithoutSpinning() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().enableAll().build()) {
                long before = turns(rt);
                Thread.currentThread().interrupt();
                boolean stillInterrupted;
                try {
                    rt.blockOn(Time.sleep(Duration.ofMillis(200)));
                } finally {
                    stillInterrupted = Thread.interrupted();
                }
                long turns = turns(rt) - before;
                assertTrue(stillInterrupted, "blockOn cleared the caller's interrupt flag");
                assertTrue(turns <= MAX_TURNS, "the driver turned " + turns + " times in a 200 ms sleep: it spun");
            }
        });
    }

    @Test
    void anInterruptedThreadWaitsForAnotherThreadWithoutSpinning() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().enableAll().build()) {
                CompletableFuture<String> later = new CompletableFuture<>();
                long before = turns(rt);
                Thread.currentThread().interrupt();
                String value;
                boolean stillInterrupted;
                try {
                    // No timer in the runtime: its driver waits in an untimed select.
                    CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS).execute(() -> later.complete("done"));
                    value = rt.blockOn(Async.fromCompletionStage(later));
                } finally {
                    stillInterrupted = Thread.interrupted();
                }
                long turns = turns(rt) - before;
                assertEquals("done", value);
                assertTrue(stillInterrupted, "blockOn cleared the caller's interrupt flag");
                assertTrue(turns <= MAX_TURNS, "the driver turned " + turns + " times waiting 200 ms for another thread: it spun");
            }
        });
    }

    private static long turns(KyotoRuntime rt) {
        return rt.ioDriverMetrics().orElseThrow().turnCount();
    }
}
