package dev.kyoto.runtime.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A Kyoto runtime shut down; the event's duration is the shutdown's. */
@Name("dev.kyoto.RuntimeStop")
@Label("Runtime Stop")
@Category("Kyoto")
@Description("A Kyoto runtime shut down: tasks cancelled, driver stopped, blocking and virtual work waited for")
@StackTrace(false)
final class RuntimeStopEvent extends jdk.jfr.Event {
    @Label("Runtime")
    @Description("The runtime's name: the name of its threads")
    String runtime;

    @Label("Tasks Cancelled")
    @Description("Tasks still alive when the shutdown began")
    long aliveTasks;
}
