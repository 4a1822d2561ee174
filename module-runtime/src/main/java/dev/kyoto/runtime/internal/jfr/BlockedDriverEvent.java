package dev.kyoto.runtime.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * The driver of a multi-thread runtime (I/O readiness and timers) went unturned: its holder left
 * it to run tasks and did not come back for a millisecond or more, and no other worker took it
 * until the worker keeping the stall watch did, at the end of its watch period. Meanwhile no
 * I/O readiness was collected and no timer fired. Rare by construction (at most one per watch
 * period), so on by default.
 */
@Name("dev.kyoto.BlockedDriver")
@Label("Blocked Driver")
@Category("Kyoto")
@Description("The runtime's driver (I/O readiness, timers) was left unturned while its last holder ran tasks, "
        + "until a watching worker took it over: I/O and timers waited that long; look for a slow poll on the other worker")
@StackTrace(false)
final class BlockedDriverEvent extends jdk.jfr.Event {
    @Label("Unturned")
    @Description("How long the driver had been free and untaken when the watcher took it")
    @Timespan(Timespan.NANOSECONDS)
    long unturned;

    @Label("Worker")
    @Description("The index of the worker that took the driver over")
    int worker;
}
