package dev.kyoto.runtime.internal.jfr;

import dev.kyoto.runtime.internal.context.RuntimeContext;
import dev.kyoto.runtime.internal.task.Task;

/**
 * Kyoto's JDK Flight Recorder events, at no cost while nobody records them. The module requires
 * {@code jdk.jfr} {@code static}: this class never names its types, and touches the classes that
 * do ({@link SlowPolls}, {@link RecordingWatch}) only after finding the module readable.
 *
 * <p>{@code timingPolls} and {@code recording} are set by {@link RecordingWatch} (on the thread
 * that starts or stops a recording): the first while some recording has the slow-poll event
 * enabled, read by every worker before each poll (one volatile load per poll while it is false,
 * and the poll timed only while it is true); the second while any recording runs, read where a
 * runtime starts, stops or reports an unhandled failure, and where a worker releases the driver.
 */
public final class Jfr {
    /** Whether {@code jdk.jfr} is there to record events; decided once. */
    private static final boolean PRESENT = ModuleLayer.boot().findModule("jdk.jfr")
            .map(Jfr.class.getModule()::canRead).orElse(false);
    private static volatile boolean timingPolls;
    private static volatile boolean recording;
    private static boolean watching;

    private Jfr() {
    }

    /** Starts following recordings, once per JVM, if {@code jdk.jfr} is there. */
    public static synchronized void watchRecordings() {
        if (PRESENT && !watching) {
            watching = true;
            RecordingWatch.start();
        }
    }

    static void update(boolean anyRecording, boolean slowPollsEnabled) {
        recording = anyRecording;
        timingPolls = slowPollsEnabled;
    }

    /** Records a runtime's start, if a recording runs. */
    public static void runtimeStarted(String runtime, String flavour, int workers) {
        if (recording) {
            LifecycleEvents.started(runtime, flavour, workers);
        }
    }

    /** Begins the event of a runtime's shutdown; what to give {@link #runtimeStopped}, or null. */
    public static Object runtimeStopping(String runtime, long aliveTasks) {
        return recording ? LifecycleEvents.stopping(runtime, aliveTasks) : null;
    }

    /** Ends the event {@link #runtimeStopping} began, and records it. */
    public static void runtimeStopped(Object stopping) {
        if (stopping != null) {
            LifecycleEvents.stopped(stopping);
        }
    }

    /** Whether any recording runs: a flag for the rare events' bookkeeping, such as timing the driver's releases. */
    public static boolean recording() {
        return PRESENT && recording;
    }

    /** Records a blocked driver taken over by worker {@code worker} after {@code unturnedNanos}, if a recording runs. */
    public static void blockedDriver(int worker, long unturnedNanos) {
        if (recording) {
            LifecycleEvents.blockedDriver(worker, unturnedNanos);
        }
    }

    /** Records a task's failure that nobody was waiting for, if a recording runs. */
    public static void unhandledFailure(String task, Throwable failure) {
        if (recording) {
            LifecycleEvents.unhandled(task, failure);
        }
    }

    /** Polls {@code task} on worker {@code worker}, as a slow-poll event if it takes long and one is being recorded. */
    public static void run(Task<?> task, RuntimeContext cx, int worker) {
        // PRESENT is a constant: without jdk.jfr the compiled poll does not even load the flag.
        if (PRESENT && timingPolls) {
            SlowPolls.run(task, cx, worker);
        } else {
            task.run(cx);
        }
    }
}
