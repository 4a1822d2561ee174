package dev.kyoto.runtime.internal.scheduler;

/** The scheduler flavours a runtime can be built with. */
public sealed interface Flavor permits Flavor.CurrentThread, Flavor.MultiThread {

    /** Every task runs on the thread inside {@code blockOn}. */
    record CurrentThread() implements Flavor {
    }

    /** Tasks run on {@code workerThreads} work-stealing worker threads. */
    record MultiThread(int workerThreads) implements Flavor {
        public MultiThread {
            if (workerThreads <= 0) {
                throw new IllegalArgumentException("workerThreads must be greater than 0, was " + workerThreads);
            }
        }
    }
}
