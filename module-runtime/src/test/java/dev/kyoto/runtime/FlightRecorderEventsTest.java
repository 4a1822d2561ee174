package dev.kyoto.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.time.Time;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Kyoto's Flight Recorder events ({@code dev.kyoto.*}), recorded in-process and read back from the file. */
@Timeout(60)
class FlightRecorderEventsTest {

    private static Async<Void> busyFor(Duration d) {
        return Async.defer(() -> {
            long until = System.nanoTime() + d.toNanos();
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            return Async.<Void>ready(null);
        });
    }

    private static List<RecordedEvent> events(Path file, String name) throws Exception {
        return RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals(name)).toList();
    }

    @Test
    void aTaskThatHoldsItsWorkerIsRecordedWithItsNameOnEitherFlavour(@TempDir Path dir) throws Exception {
        for (KyotoRuntime.Builder builder : List.of(KyotoRuntime.builder().multiThread().workerThreads(2),
                KyotoRuntime.builder().currentThread())) {
            Path file = dir.resolve("slow-" + System.nanoTime() + ".jfr");
            try (KyotoRuntime rt = builder.build(); Recording recording = new Recording()) {
                recording.enable("dev.kyoto.SlowPoll").withThreshold(Duration.ofMillis(20));
                recording.start();
                rt.blockOn(rt.spawn("the slow one", busyFor(Duration.ofMillis(60))));
                recording.stop();
                recording.dump(file);
            }
            List<RecordedEvent> slow = events(file, "dev.kyoto.SlowPoll").stream()
                    .filter(e -> "the slow one".equals(e.getString("task"))).toList();
            assertEquals(1, slow.size(), "one slow poll of the slow task: " + slow);
            assertTrue(slow.getFirst().getDuration().toMillis() >= 60, "duration " + slow.getFirst().getDuration());
        }
    }

    @Test
    void nothingIsRecordedWhenNoRecordingAsksForSlowPolls(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("other.jfr");
        try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(2).build(); Recording recording = new Recording()) {
            recording.enable("dev.kyoto.RuntimeStop");
            recording.start();
            rt.blockOn(rt.spawn("the slow one", busyFor(Duration.ofMillis(30))));
            recording.stop();
            recording.dump(file);
        }
        assertEquals(List.of(), events(file, "dev.kyoto.SlowPoll"));
    }

    /**
     * A worker that leaves the driver for one long poll leaves I/O and timers unturned until the
     * worker keeping the stall watch takes the driver over, at the end of its watch period: that
     * is recorded, with how long the driver was left. Each round's task is woken by a timer, so in
     * the turn of the driver's holder, which runs it as soon as it lets the driver go.
     */
    @Test
    void aDriverLeftUnturnedBehindALongPollIsRecorded() throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(2).enableTime().build();
                RecordingStream stream = new RecordingStream()) {
            stream.enable("dev.kyoto.BlockedDriver");
            AtomicReference<RecordedEvent> first = new AtomicReference<>();
            CountDownLatch seen = new CountDownLatch(1);
            stream.onEvent("dev.kyoto.BlockedDriver", e -> {
                first.compareAndSet(null, e);
                seen.countDown();
            });
            stream.startAsync();
            for (int round = 0; round < 300 && seen.getCount() > 0; round++) {
                rt.blockOn(rt.spawn(Time.sleep(Duration.ofMillis(2)).then(v -> busyFor(Duration.ofMillis(40)))));
            }
            assertTrue(seen.await(30, TimeUnit.SECONDS), "no blocked-driver event in 300 rounds of a 40 ms poll");
            RecordedEvent e = first.get();
            long unturned = e.getDuration("unturned").toNanos();
            assertTrue(unturned >= 1_000_000 && unturned < 1_000_000_000L, "unturned " + e.getDuration("unturned"));
            assertTrue(e.getInt("worker") == 0 || e.getInt("worker") == 1, "worker " + e.getInt("worker"));
        }
    }

    @Test
    void aRuntimesStartAndStopAndAnUnhandledFailureAreRecorded(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("lifecycle.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("dev.kyoto.RuntimeStart");
            recording.enable("dev.kyoto.RuntimeStop");
            recording.enable("dev.kyoto.UnhandledFailure");
            recording.start();
            CountDownLatch reported = new CountDownLatch(1);
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(2).threadName("recorded")
                    .onUnhandledFailure((task, failure) -> reported.countDown()).build()) {
                rt.spawn("doomed", Async.failed(new IOException("nobody joins this")));
                reported.await();
            }
            recording.stop();
            recording.dump(file);
        }
        RecordedEvent start = events(file, "dev.kyoto.RuntimeStart").getFirst();
        assertEquals("recorded", start.getString("runtime"));
        assertEquals("multi-thread", start.getString("flavour"));
        assertEquals(2, start.getInt("workers"));
        RecordedEvent stop = events(file, "dev.kyoto.RuntimeStop").getFirst();
        assertEquals("recorded", stop.getString("runtime"));
        RecordedEvent failure = events(file, "dev.kyoto.UnhandledFailure").getFirst();
        assertEquals("doomed", failure.getString("task"));
        assertEquals("java.io.IOException", failure.getClass("failure").getName());
        assertEquals("nobody joins this", failure.getString("message"));
    }
}
