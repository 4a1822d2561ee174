package dev.kyoto.runtime.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A Kyoto runtime was built and started. */
@Name("dev.kyoto.RuntimeStart")
@Label("Runtime Start")
@Category("Kyoto")
@Description("A Kyoto runtime was built and its workers started")
@StackTrace(false)
final class RuntimeStartEvent extends jdk.jfr.Event {
    @Label("Runtime")
    @Description("The runtime's name: the name of its threads")
    String runtime;

    @Label("Flavour")
    String flavour;

    @Label("Workers")
    int workers;
}
