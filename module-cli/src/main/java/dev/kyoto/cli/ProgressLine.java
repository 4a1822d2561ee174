package dev.kyoto.cli;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.time.Interval;
import dev.kyoto.runtime.time.MissedTickBehavior;
import dev.kyoto.runtime.time.Time;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * The live progress line of {@code kyoto bench}: once a second, on the runtime's timer, it
 * rewrites one terminal line with the elapsed time, the phase (warming up, measuring, finishing)
 * and the round trips completed in the last second.
 */
final class ProgressLine {
    private static final Duration PERIOD = Duration.ofSeconds(1);

    private final PrintWriter terminal;
    private final long launchedAt;
    private final MeasurementWindow window;
    private final LongAdder roundTrips;
    private long lastCount;
    private long lastTime;
    private int width;

    /**
     * @param terminal where to draw; a terminal, since the line is redrawn with carriage returns
     * @param launchedAt the {@link System#nanoTime()} at which warm-up began
     * @param roundTrips every completed round trip, counted by the clients
     */
    ProgressLine(PrintWriter terminal, long launchedAt, MeasurementWindow window, LongAdder roundTrips) {
        this.terminal = terminal;
        this.launchedAt = launchedAt;
        this.window = window;
        this.roundTrips = roundTrips;
        this.lastTime = launchedAt;
    }

    /** Draws a line every second until the task running it is aborted. */
    Async<Void> draw() {
        Interval ticks = Time.interval(PERIOD);
        // A busy runtime may run the task late: draw once and carry on, rather than catch up.
        ticks.setMissedTickBehavior(MissedTickBehavior.SKIP);
        // An interval's first tick completes at once; the first line comes a whole second later.
        return ticks.tick().then(start -> everyTick(ticks));
    }

    /** Blanks the line, so that what follows starts on a clean one. Call once drawing has stopped. */
    void erase() {
        if (width > 0) {
            terminal.print("\r" + " ".repeat(width) + "\r");
            terminal.flush();
        }
    }

    private Async<Void> everyTick(Interval ticks) {
        return ticks.tick().then(tick -> {
            drawNow(System.nanoTime());
            return everyTick(ticks);
        });
    }

    private void drawNow(long now) {
        long count = roundTrips.sum();
        double perSecond = (count - lastCount) * 1e9 / (now - lastTime);
        lastCount = count;
        lastTime = now;
        String phase = window.isWarmingUp(now) ? "warming up" : window.isOver(now) ? "finishing" : "measuring";
        String line = String.format(Locale.ROOT, "%6.1f s  %-10s  %,12.0f round trips/s", (now - launchedAt) / 1e9, phase, perSecond);
        width = Math.max(width, line.length());
        terminal.print("\r" + line);
        terminal.flush();
    }
}
