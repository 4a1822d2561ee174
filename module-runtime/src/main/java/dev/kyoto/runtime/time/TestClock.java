package dev.kyoto.runtime.time;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.internal.context.RuntimeContext;
import dev.kyoto.runtime.internal.scheduler.MultiThreadScheduler;
import dev.kyoto.runtime.internal.scheduler.SchedulerHandle;
import dev.kyoto.runtime.internal.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Control over the clock of the current-thread runtime running on this thread, for tests: pause
 * it, move it, let it run again. While paused, time moves only through {@link #advance}, and an
 * idle runtime jumps straight to its next timer, so a test of a one-hour timeout runs at once.
 * Build a runtime that starts paused with {@code KyotoRuntime.builder().startPaused(true)}.
 */
public final class TestClock {
    private TestClock() {
    }

    /**
     * Freezes the clock.
     *
     * @throws IllegalStateException outside a runtime, on a multi-thread runtime, or if already paused
     */
    public static void pause() {
        clock().pause();
    }

    /**
     * Lets the clock run again from where it stands.
     *
     * @throws IllegalStateException if it is not paused
     */
    public static void resume() {
        clock().resume();
    }

    /**
     * Moves the paused clock forward by {@code duration} in one jump, then yields so that every
     * timer now due fires before the caller continues (in no particular order among themselves).
     */
    public static Async<Void> advance(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("the clock cannot go back: advance(" + duration + ")");
        }
        return new Async<>() {
            private Async<Void> yielded;

            @Override
            public Poll<Void> poll(Context cx) throws Exception {
                if (yielded == null) {
                    clock().advance(duration.toNanos());
                    yielded = Async.yieldNow();
                }
                return yielded.poll(cx);
            }
        };
    }

    /** Whether the clock of the runtime on this thread is paused. */
    public static boolean isPaused() {
        return clock().isPaused();
    }

    private static Clock clock() {
        SchedulerHandle s = RuntimeContext.current();
        if (s instanceof MultiThreadScheduler) {
            throw new IllegalStateException("the paused clock needs a current-thread runtime: on a multi-thread runtime "
                    + "time depends on what several threads do; use KyotoRuntime.builder().currentThread()");
        }
        return s.driver().time().clock();
    }
}
