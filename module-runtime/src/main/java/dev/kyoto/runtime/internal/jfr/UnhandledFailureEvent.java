package dev.kyoto.runtime.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A task failed while nobody was waiting for it. */
@Name("dev.kyoto.UnhandledFailure")
@Label("Unhandled Task Failure")
@Category("Kyoto")
@Description("A task failed while no task or thread was joining it")
@StackTrace(false)
final class UnhandledFailureEvent extends jdk.jfr.Event {
    @Label("Task")
    String task;

    @Label("Failure")
    @Description("The failure's class")
    Class<?> failure;

    @Label("Message")
    String message;
}
