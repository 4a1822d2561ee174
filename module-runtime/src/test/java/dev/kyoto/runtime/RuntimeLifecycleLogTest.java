package dev.kyoto.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.sync.Oneshot;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a runtime logs about its own life, as users see it (tag "default-logging", in the surefire
 * execution where nothing is routed away): one INFO line when it starts, one when it stops, and
 * a WARN naming what still runs when its shutdown timed out.
 */
@Tag("default-logging")
@Timeout(60)
class RuntimeLifecycleLogTest {

    @Test
    void aRuntimeLogsOneLineWhenItStartsAndOneWhenItStops() throws Exception {
        List<String> log = StandardErrorLines.of(() -> {
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(2).enableTime().threadName("logged").build()) {
                Oneshot.Channel<Integer> never = Oneshot.channel();
                rt.spawn(never.receiver());
                rt.blockOn(rt.spawn(Async.ready(1)));
            }
        });
        List<String> mine = log.stream().filter(l -> l.contains("runtime logged ")).toList();
        assertEquals(2, mine.size(), String.join("\n", log));
        assertTrue(mine.get(0).endsWith("INFO dev.kyoto.runtime.KyotoRuntime - runtime logged started: multi-thread, 2 workers, "
                + "I/O off, timers on"), mine.get(0));
        assertTrue(mine.get(1).matches(".*INFO dev\\.kyoto\\.runtime\\.KyotoRuntime - runtime logged stopped in \\d+ ms; "
                + "1 task still alive was cancelled"), mine.get(1));

        List<String> current = StandardErrorLines.of(() -> KyotoRuntime.builder().threadName("small").build().close()).stream()
                .filter(l -> l.contains("runtime small ")).toList();
        assertEquals(2, current.size(), String.join("\n", current));
        assertTrue(current.get(0).endsWith("runtime small started: current-thread, I/O off, timers off"), current.get(0));
        assertTrue(current.get(1).matches(".*runtime small stopped in \\d+ ms"), current.get(1));
    }

    @Test
    void aShutdownThatTimesOutSaysWhatIsStillRunningAndWhatToDo() throws Exception {
        Semaphore release = new Semaphore(0);
        CountDownLatch running = new CountDownLatch(1);
        List<String> log;
        try {
            log = StandardErrorLines.of(() -> {
                KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(1).threadName("stuck").build();
                rt.spawnBlocking(() -> {
                    running.countDown();
                    // Deaf to the shutdown's interrupt: the kind of work a timeout gives up on.
                    release.acquireUninterruptibly();
                    return null;
                });
                running.await();
                rt.shutdownTimeout(Duration.ofMillis(50));
            });
        } finally {
            release.release();
        }
        List<String> warn = log.stream().filter(l -> l.contains("runtime stuck stopped")).toList();
        assertEquals(1, warn.size(), "one line, and no 'stopped in' line beside it:\n" + String.join("\n", log));
        assertTrue(warn.getFirst().contains("WARN dev.kyoto.runtime.KyotoRuntime - runtime stuck stopped with work still running "
                + "after its shutdown timeout of PT0.05S: blocking work still running on 1 thread; those threads finish on their "
                + "own: make that work end when interrupted or cancelled, or give shutdownTimeout more time"), warn.getFirst());
    }
}
