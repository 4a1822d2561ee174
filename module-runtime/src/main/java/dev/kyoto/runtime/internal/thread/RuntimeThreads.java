package dev.kyoto.runtime.internal.thread;

import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a runtime makes its threads, workers and blocking-pool threads alike: their names, the
 * hooks that run on each one as it starts and as it stops, and the factory that creates them.
 *
 * <p>A thread whose start hook throws must not take work: whatever it would have run could then
 * run without the set-up the hook provides. {@link #runStartHook()} reports the failure, and the
 * caller decides what it means (a worker fails the runtime's build, a blocking thread gives its
 * place back and fails the work it was started for). Its stop hook does not run. A stop hook
 * that throws is logged with the thread's name and changes nothing else.
 *
 * @param name the prefix of the threads' names
 * @param onStart runs first on every thread
 * @param onStop runs last on every thread whose start hook completed
 * @param factory creates the (unstarted) threads; tests pass one whose threads fail to start
 */
public record RuntimeThreads(String name, Runnable onStart, Runnable onStop, ThreadFactory factory) {
    private static final Logger LOG = LoggerFactory.getLogger(RuntimeThreads.class);

    /** Platform daemon threads: a runtime never keeps the JVM alive by itself. */
    public static final ThreadFactory PLATFORM_DAEMONS = Thread.ofPlatform().daemon(true).factory();
    /** Virtual threads, for the workers of {@code Builder.virtualThreadWorkers()}. */
    public static final ThreadFactory VIRTUAL = Thread.ofVirtual().factory();

    public RuntimeThreads {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(onStart, "onStart");
        Objects.requireNonNull(onStop, "onStop");
        Objects.requireNonNull(factory, "factory");
    }

    /** The same hooks and factory, for threads named {@code name + suffix + "-" + n}. */
    public RuntimeThreads named(String suffix) {
        return new RuntimeThreads(name + suffix, onStart, onStop, factory);
    }

    /** An unstarted thread named {@code name-index} that runs {@code body}. */
    public Thread newThread(int index, Runnable body) {
        Thread t = factory.newThread(body);
        t.setName(name + "-" + index);
        t.setDaemon(true);
        return t;
    }

    /**
     * Runs the start hook on the calling thread.
     *
     * @return null if it completed, else what it threw (already logged, with the thread's name)
     */
    public Throwable runStartHook() {
        try {
            onStart.run();
            return null;
        } catch (Throwable t) {
            LOG.warn("the onThreadStart hook threw on Kyoto thread {}; the thread takes no work", Thread.currentThread().getName(), t);
            return t;
        }
    }

    /** Runs the stop hook on the calling thread, logging what it throws. */
    public void runStopHook() {
        try {
            onStop.run();
        } catch (Throwable t) {
            LOG.warn("the onThreadStop hook threw on Kyoto thread {}", Thread.currentThread().getName(), t);
        }
    }
}
