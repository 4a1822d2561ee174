package dev.kyoto.runtime.internal.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class QueueIntervalTunerTest {

    /** Feeds batches of {@code polls} polls that each took {@code pollNanos}. */
    private static void feed(QueueIntervalTuner t, int batches, int polls, long pollNanos) {
        long now = 0;
        t.start(now);
        for (int b = 0; b < batches; b++) {
            for (int i = 0; i < polls; i++) {
                t.polled();
            }
            now += polls * pollNanos;
            t.update(now);
        }
    }

    @Test
    void startsAtTheConfiguredSeed() {
        assertEquals(61, new QueueIntervalTuner(61).interval());
    }

    @Test
    void slowPollsCheckTheInjectQueueOften() {
        QueueIntervalTuner t = new QueueIntervalTuner(61);
        feed(t, 20, 61, 10_000);
        assertEquals(20, t.interval(), "200 µs / 10 µs per poll");
        feed(t, 20, 61, 1_000_000);
        assertEquals(2, t.interval(), "clamped at 2");
    }

    @Test
    void fastPollsCheckItRarely() {
        QueueIntervalTuner t = new QueueIntervalTuner(61);
        feed(t, 20, 61, 100);
        assertEquals(127, t.interval(), "clamped at 127");
    }

    @Test
    void anEmptyBatchChangesNothing() {
        QueueIntervalTuner t = new QueueIntervalTuner(61);
        t.start(0);
        t.update(5_000_000);
        assertEquals(61, t.interval());
        feed(t, 1, 1, 10_000);
        assertTrue(t.interval() < 61 && t.interval() > 20, "a single poll moves it a tenth of the way: " + t.interval());
    }
}
