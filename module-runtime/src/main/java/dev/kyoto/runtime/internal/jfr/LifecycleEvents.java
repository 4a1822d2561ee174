package dev.kyoto.runtime.internal.jfr;

/** Commits the runtime's start, stop, unhandled-failure and blocked-driver events, while a recording has them enabled. */
final class LifecycleEvents {
    private LifecycleEvents() {
    }

    static void started(String runtime, String flavour, int workers) {
        RuntimeStartEvent e = new RuntimeStartEvent();
        if (e.shouldCommit()) {
            e.runtime = runtime;
            e.flavour = flavour;
            e.workers = workers;
            e.commit();
        }
    }

    /** The stop event, begun, or null if no recording wants it. */
    static Object stopping(String runtime, long aliveTasks) {
        RuntimeStopEvent e = new RuntimeStopEvent();
        if (!e.isEnabled()) {
            return null;
        }
        e.runtime = runtime;
        e.aliveTasks = aliveTasks;
        e.begin();
        return e;
    }

    static void stopped(Object stopping) {
        RuntimeStopEvent e = (RuntimeStopEvent) stopping;
        e.end();
        e.commit();
    }

    static void blockedDriver(int worker, long unturnedNanos) {
        BlockedDriverEvent e = new BlockedDriverEvent();
        if (e.shouldCommit()) {
            e.worker = worker;
            e.unturned = unturnedNanos;
            e.commit();
        }
    }

    static void unhandled(String task, Throwable failure) {
        UnhandledFailureEvent e = new UnhandledFailureEvent();
        if (e.shouldCommit()) {
            e.task = task;
            e.failure = failure.getClass();
            e.message = failure.getMessage();
            e.commit();
        }
    }
}
