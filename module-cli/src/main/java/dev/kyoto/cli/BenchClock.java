package dev.kyoto.cli;

import dev.kyoto.runtime.JoinHandle;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The wall clock of {@code kyoto bench}, on a thread of its own (Kyoto has no timers yet, and a
 * current-thread runtime runs only inside {@code blockOn} on the main thread). Once a second it
 * rewrites a progress line (elapsed time, round trips in the last second) if it was given a
 * terminal to write to. A grace period after the window closes, it aborts the clients that are
 * still waiting for a reply, so that a target that stopped answering cannot hang the run.
 */
final class BenchClock {
    /** How long after the end a client may still wait for its last reply before it is abandoned. */
    static final Duration GRACE = Duration.ofSeconds(2);

    private static final long TICK = Duration.ofSeconds(1).toNanos();

    private final long launchedAt;
    private final MeasurementWindow window;
    private final LongAdder roundTrips;
    private final PrintWriter progress;
    private final List<JoinHandle<Void>> clients;
    private final Thread thread;
    private volatile boolean stopped;
    private int lineWidth;

    private BenchClock(long launchedAt, MeasurementWindow window, LongAdder roundTrips, PrintWriter progress,
            List<JoinHandle<Void>> clients) {
        this.launchedAt = launchedAt;
        this.window = window;
        this.roundTrips = roundTrips;
        this.progress = progress;
        this.clients = clients;
        // A daemon, so that a failing main thread never waits for the clock.
        this.thread = Thread.ofPlatform().name("kyoto-bench-clock").daemon().unstarted(this::run);
    }

    /**
     * Starts the clock for {@code clients}.
     *
     * @param launchedAt the {@link System#nanoTime()} at which warm-up began
     * @param progress the terminal to draw the progress line on, or null for none
     */
    static BenchClock start(long launchedAt, MeasurementWindow window, LongAdder roundTrips, PrintWriter progress,
            List<JoinHandle<Void>> clients) {
        BenchClock clock = new BenchClock(launchedAt, window, roundTrips, progress, clients);
        clock.thread.start();
        return clock;
    }

    /** Stops the clock and erases the progress line, so that what follows starts on a clean line. */
    void stop() throws InterruptedException {
        stopped = true;
        LockSupport.unpark(thread);
        thread.join();
    }

    private void run() {
        long nextTick = launchedAt + TICK;
        long abortAt = window.endNanos() + GRACE.toNanos();
        boolean aborted = false;
        long lastCount = 0;
        long lastTime = launchedAt;
        while (!stopped) {
            long now = System.nanoTime();
            if (!aborted && now - abortAt >= 0) {
                clients.forEach(JoinHandle::abort);
                aborted = true;
            }
            if (progress != null && now - nextTick >= 0) {
                long count = roundTrips.sum();
                draw(now, (count - lastCount) * 1e9 / (now - lastTime));
                lastCount = count;
                lastTime = now;
                nextTick += TICK;
            }
            long wakeAt = aborted || nextTick - abortAt < 0 ? nextTick : abortAt;
            LockSupport.parkNanos(this, wakeAt - now);
        }
        if (progress != null && lineWidth > 0) {
            progress.print("\r" + " ".repeat(lineWidth) + "\r");
            progress.flush();
        }
    }

    private void draw(long now, double perSecond) {
        String phase = window.isWarmingUp(now) ? "warming up" : window.isOver(now) ? "finishing" : "measuring";
        String line = String.format(Locale.ROOT, "%6.1f s  %-10s  %,12.0f round trips/s", (now - launchedAt) / 1e9, phase, perSecond);
        lineWidth = Math.max(lineWidth, line.length());
        progress.print("\r" + line);
        progress.flush();
    }
}
