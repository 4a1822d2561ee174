package dev.kyoto.net.soak;

import dev.kyoto.runtime.KyotoRuntime;

/** The two runtime flavours the suite runs on; multi-thread with two workers, one per core here. */
enum Flavour {
    CURRENT_THREAD,
    MULTI_THREAD;

    /** A builder of this flavour with I/O and timers, its threads named {@code threadName-…}. */
    KyotoRuntime.Builder builder(String threadName) {
        KyotoRuntime.Builder b = KyotoRuntime.builder().enableAll().threadName(threadName);
        return this == CURRENT_THREAD ? b.currentThread() : b.multiThread().workerThreads(2);
    }

    KyotoRuntime build(String threadName) {
        return builder(threadName).build();
    }

    @Override
    public String toString() {
        return this == CURRENT_THREAD ? "current-thread" : "multi-thread";
    }
}
