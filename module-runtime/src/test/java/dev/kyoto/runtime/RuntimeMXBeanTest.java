package dev.kyoto.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The runtime's MXBean, read as JConsole reads it: attributes over the platform MBean server. */
@Timeout(60)
class RuntimeMXBeanTest {
    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

    private static ObjectName name(String runtime) throws Exception {
        return new ObjectName("dev.kyoto:type=Runtime,name=" + runtime);
    }

    @Test
    void aRuntimeIsRegisteredWhileItRunsWithItsMetricsAsAttributes() throws Exception {
        ObjectName name = name("mxbean-test");
        try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(2).threadName("mxbean-test").build()) {
            assertTrue(SERVER.isRegistered(name), "registered as " + name);
            assertEquals(2, SERVER.getAttribute(name, "Workers"));
            for (int i = 0; i < 10; i++) {
                rt.blockOn(rt.spawn(Async.ready(i)));
            }
            assertEquals(10L, SERVER.getAttribute(name, "SpawnedTasks"));
            assertEquals(0L, SERVER.getAttribute(name, "AliveTasks"));
            // A worker counts a poll once it has returned, which may be just after blockOn saw the task complete.
            long[] polls = (long[]) SERVER.getAttribute(name, "WorkerPolls");
            for (long deadline = System.nanoTime() + 30_000_000_000L; polls[0] + polls[1] < 10 && System.nanoTime() < deadline; ) {
                Thread.onSpinWait();
                polls = (long[]) SERVER.getAttribute(name, "WorkerPolls");
            }
            assertEquals(2, polls.length);
            assertEquals(10, polls[0] + polls[1]);
            assertEquals(2, ((long[]) SERVER.getAttribute(name, "WorkerBusyTimeNanos")).length);
            for (String attribute : new String[] {"GlobalQueueDepth", "BlockingThreads", "IdleBlockingThreads",
                    "BlockingQueueDepth", "TimersArmed", "IoRegistrations", "IoReadyEvents", "IoDriverTurns", "IoDriverWakeups"}) {
                assertEquals(0L, SERVER.getAttribute(name, attribute), attribute);
            }
            assertArrayEquals(new long[] {0, 0}, (long[]) SERVER.getAttribute(name, "WorkerOverflows"));
            assertEquals(false, SERVER.getAttribute(name, "PollTimeHistogramEnabled"));
            assertArrayEquals(new long[20], (long[]) SERVER.getAttribute(name, "PollTimeHistogram"));
        }
        assertFalse(SERVER.isRegistered(name), "unregistered at close");
    }

    /** The poll-time histogram, summed over the workers, with the buckets' starts beside it. */
    @Test
    void thePollTimeHistogramIsAnAttribute() throws Exception {
        ObjectName name = name("mxbean-histogram");
        try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(2).threadName("mxbean-histogram")
                .enablePollTimeHistogram().build()) {
            for (int i = 0; i < 10; i++) {
                rt.blockOn(rt.spawn(Async.ready(i)));
            }
            assertEquals(true, SERVER.getAttribute(name, "PollTimeHistogramEnabled"));
            long[] starts = (long[]) SERVER.getAttribute(name, "PollTimeHistogramBucketStartNanos");
            assertEquals(20, starts.length);
            assertEquals(0, starts[0]);
            assertEquals(1_000, starts[1]);
            assertEquals(262_144_000, starts[19]);
            // Ten polls, one per task; a worker counts each just after its joiner may have returned.
            long total = 0;
            for (long deadline = System.nanoTime() + 30_000_000_000L; total < 10 && System.nanoTime() < deadline; ) {
                Thread.onSpinWait();
                total = java.util.Arrays.stream((long[]) SERVER.getAttribute(name, "PollTimeHistogram")).sum();
            }
            assertEquals(10, total, "one count per poll");
        }
    }

    @Test
    void runtimesOfTheSameNameAreNumberedAndJmxFalseRegistersNothing() throws Exception {
        try (KyotoRuntime first = KyotoRuntime.builder().currentThread().threadName("twin").build();
                KyotoRuntime second = KyotoRuntime.builder().currentThread().threadName("twin").build();
                KyotoRuntime hidden = KyotoRuntime.builder().currentThread().threadName("hidden").jmx(false).build()) {
            assertTrue(SERVER.isRegistered(name("twin")));
            assertTrue(SERVER.isRegistered(name("twin-2")));
            assertEquals(1, SERVER.getAttribute(name("twin-2"), "Workers"), "a current-thread runtime has one worker");
            assertFalse(SERVER.isRegistered(name("hidden")));
        }
        assertFalse(SERVER.isRegistered(name("twin")));
        assertFalse(SERVER.isRegistered(name("twin-2")));
    }

    @Test
    void aNameThatIsNotAPlainWordIsQuoted() throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().threadName("a name, with=signs").build()) {
            assertTrue(SERVER.isRegistered(new ObjectName("dev.kyoto:type=Runtime,name=" + ObjectName.quote("a name, with=signs"))));
        }
    }
}
