package dev.kyoto.runtime.internal.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.internal.blocking.BlockingPool;
import dev.kyoto.runtime.internal.driver.Driver;
import dev.kyoto.runtime.internal.task.BlockingTask;
import dev.kyoto.runtime.internal.task.UnhandledFailures;
import dev.kyoto.runtime.internal.thread.RuntimeThreads;
import dev.kyoto.runtime.internal.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code Thread.start()} can fail (the JVM cannot create a native thread). The process limits
 * that cause it cannot be set for one test here, so these tests give the runtime a factory whose
 * chosen threads fail to start the way the JDK's do, with an {@link OutOfMemoryError}.
 */
class ThreadStartFailureTest {
    private static final long BOUND_SECONDS = 20;

    /** Creates real threads, except that the {@code failing}-th one (counting from 0) cannot start. */
    private static final class FailingFactory implements ThreadFactory {
        final OutOfMemoryError error = new OutOfMemoryError("unable to create native thread: possibly out of memory");
        final List<Thread> started = new ArrayList<>();
        private final AtomicInteger made = new AtomicInteger();
        private final int failing;

        FailingFactory(int failing) {
            this.failing = failing;
        }

        @Override
        public synchronized Thread newThread(Runnable r) {
            if (made.getAndIncrement() == failing) {
                return new Thread(r) {
                    @Override
                    public void start() {
                        throw error;
                    }
                };
            }
            Thread t = new Thread(r);
            started.add(t);
            return t;
        }
    }

    private static RuntimeThreads threads(String name, ThreadFactory factory) {
        return new RuntimeThreads(name, () -> { }, () -> { }, factory);
    }

    @Test
    void aWorkerThatCannotStartFailsTheSchedulerAndStopsTheOthers() throws Exception {
        FailingFactory factory = new FailingFactory(2);
        Driver driver = new Driver(null, null, true, new Clock(false));
        BlockingPool blocking = new BlockingPool(4, TimeUnit.SECONDS.toNanos(10), threads("nostart-blocking", factory));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new MultiThreadScheduler(driver, blocking, 4, 61, 0, threads("nostart", factory), UnhandledFailures.LOG_WARN, false));
        assertTrue(e.getMessage().contains("nostart-2"), e.getMessage());
        assertSame(factory.error, e.getCause());
        assertEquals(2, factory.started.size());
        for (Thread t : factory.started) {
            t.join(TimeUnit.SECONDS.toMillis(BOUND_SECONDS));
            assertTrue(!t.isAlive(), "a started worker outlived the failed start: " + t.getName());
        }
    }

    @Test
    void aBlockingThreadThatCannotStartFailsTheWorkAndTheNextSubmitTriesAgain() throws Exception {
        FailingFactory factory = new FailingFactory(0);
        BlockingPool pool = new BlockingPool(1, TimeUnit.SECONDS.toNanos(10), threads("nostart-blocking", factory));
        try {
            BlockingTask<Integer> first = new BlockingTask<>(() -> 1);
            pool.submit(first);
            ExecutionException failed = assertThrows(ExecutionException.class,
                    () -> first.toCompletableFuture().get(BOUND_SECONDS, TimeUnit.SECONDS));
            RejectedExecutionException why = assertInstanceOf(RejectedExecutionException.class, failed.getCause());
            assertTrue(why.getMessage().contains("nostart-blocking-0"), why.getMessage());
            assertSame(factory.error, why.getCause());
            assertEquals(0, pool.threadCount(), "the thread that never started was given back");

            BlockingTask<Integer> second = new BlockingTask<>(() -> 2);
            pool.submit(second);
            assertEquals(2, second.toCompletableFuture().get(BOUND_SECONDS, TimeUnit.SECONDS));
        } finally {
            assertTrue(pool.shutdown(TimeUnit.SECONDS.toNanos(BOUND_SECONDS)));
        }
    }
}
