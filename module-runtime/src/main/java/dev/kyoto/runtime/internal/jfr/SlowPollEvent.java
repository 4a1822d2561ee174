package dev.kyoto.runtime.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * A task poll that held its worker longer than the threshold (10 ms unless the recording says
 * otherwise). Off unless a recording enables it ({@code docs/kyoto.jfc} does): while it is on,
 * every poll is timed, which a recording made for something else should not pay for.
 */
@Name("dev.kyoto.SlowPoll")
@Label("Slow Poll")
@Category("Kyoto")
@Description("A task's poll that held a worker thread for longer than the threshold: every other task queued there waited")
@Threshold("10 ms")
@Enabled(false)
@StackTrace(false)
final class SlowPollEvent extends jdk.jfr.Event {
    @Label("Task")
    @Description("The task's name (JoinHandle.name())")
    String task;

    @Label("Worker")
    @Description("The index of the worker that polled it")
    int worker;
}
