package dev.kyoto.cli;

import dev.kyoto.runtime.RuntimeMetrics;
import java.util.Locale;

/**
 * One line summing up a runtime over the last interval, for {@code kyoto echo-server --metrics}:
 * rates for the counters that only grow, levels for the others. For example (one line):
 *
 * <pre>
 * metrics: 65 tasks alive (12/s spawned), 123,456 polls/s, 12 steals/s, 340 parks/s, workers 37 % busy,
 * queues 0 global 3 local, 2 timers, I/O 65 registered 120,300 events/s 20,100 turns/s 5 wakeups/s
 * </pre>
 *
 * Keeps the previous reading; used by one task at a time.
 */
final class MetricsLine {
    /** The growing counters at one moment. */
    private record Reading(long at, long spawned, long polls, long steals, long parks, long busyNanos,
            long events, long turns, long wakeups) {

        static Reading of(RuntimeMetrics m) {
            long polls = 0;
            long steals = 0;
            long parks = 0;
            long busy = 0;
            for (int i = 0; i < m.workers(); i++) {
                polls += m.workerPolls(i);
                steals += m.workerSteals(i);
                parks += m.workerParks(i);
                busy += m.workerBusyTime(i).toNanos();
            }
            return new Reading(System.nanoTime(), m.spawnedTasks(), polls, steals, parks, busy,
                    m.ioReadyEvents(), m.ioDriverTurns(), m.ioDriverWakeups());
        }
    }

    private final RuntimeMetrics metrics;
    private Reading last;

    MetricsLine(RuntimeMetrics metrics) {
        this.metrics = metrics;
        this.last = Reading.of(metrics);
    }

    /** The line for the time since the previous call (or since this was made). */
    String next() {
        Reading now = Reading.of(metrics);
        Reading was = last;
        last = now;
        double seconds = Math.max(1e-9, (now.at() - was.at()) / 1e9);
        int workers = metrics.workers();
        long local = 0;
        for (int i = 0; i < workers; i++) {
            local += metrics.workerLocalQueueDepth(i);
        }
        double busy = Math.min(100, (now.busyNanos() - was.busyNanos()) / 1e9 / seconds / workers * 100);
        return String.format(Locale.ROOT,
                "metrics: %,d tasks alive (%,.0f/s spawned), %,.0f polls/s, %,.0f steals/s, %,.0f parks/s, workers %.0f %% busy,"
                        + " queues %,d global %,d local, %,d timers, I/O %,d registered %,.0f events/s %,.0f turns/s %,.0f wakeups/s",
                metrics.aliveTasks(), (now.spawned() - was.spawned()) / seconds, (now.polls() - was.polls()) / seconds,
                (now.steals() - was.steals()) / seconds, (now.parks() - was.parks()) / seconds, busy,
                metrics.globalQueueDepth(), local, metrics.timersArmed(), metrics.ioRegistrations(),
                (now.events() - was.events()) / seconds, (now.turns() - was.turns()) / seconds,
                (now.wakeups() - was.wakeups()) / seconds);
    }
}
