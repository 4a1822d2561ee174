package dev.kyoto.io.uring.internal.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.spi.IoDriver;
import dev.kyoto.runtime.spi.RuntimeShutdown;
import dev.kyoto.runtime.spi.WorkerQueue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The io_uring driver's park and unpark, against the kernel: no wake is lost, none is needed twice, shutdown frees all. */
class UringDriverTest {

    @Test
    @Timeout(10)
    void anUnparkBeforeTheParkMakesItReturnAtOnce() throws IOException {
        UringDriver driver = UringDriver.open();
        try {
            driver.unpark();
            driver.park(-1);
            assertEquals(0, driver.wakeupCount(), "nobody was parked, so the eventfd was not written");
        } finally {
            driver.shutdown();
        }
    }

    /**
     * One thread parks without a timeout 20,000 times; another unparks it once per park, after
     * seeing the previous park return. A lost wake leaves the parker blocked for good and the
     * test times out; the eventfd writes prove that many unparks found the parker in the ring.
     */
    @Test
    @Timeout(60)
    void everyUnparkEndsAParkFromAnotherThread() throws Exception {
        int rounds = 20_000;
        UringDriver driver = UringDriver.open();
        AtomicInteger parked = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread parker = Thread.ofPlatform().name("parker").start(() -> {
            try {
                for (int i = 0; i < rounds; i++) {
                    driver.park(-1);
                    parked.incrementAndGet();
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        try {
            for (int i = 0; i < rounds; i++) {
                while (parked.get() < i) {
                    Thread.onSpinWait();
                }
                driver.unpark();
            }
            parker.join();
            assertEquals(null, failure.get());
            assertEquals(rounds, parked.get());
            assertTrue(driver.wakeupCount() > 0, "no unpark ever found the parker waiting in the ring");
        } finally {
            driver.shutdown();
        }
    }

    @Test
    @Timeout(10)
    void aTimedParkReturnsOnceItsTimeHasPassed() throws IOException {
        UringDriver driver = UringDriver.open();
        try {
            long timeout = TimeUnit.MILLISECONDS.toNanos(20);
            long start = System.nanoTime();
            driver.park(timeout);
            long waited = System.nanoTime() - start;
            assertTrue(waited >= timeout, "returned after " + waited + " ns");
            assertTrue(driver.turnCount() >= 1);
        } finally {
            driver.shutdown();
        }
    }

    @Test
    @Timeout(10)
    void aParkThatDoesNotWaitReturnsWithoutAnUnpark() throws IOException {
        UringDriver driver = UringDriver.open();
        try {
            for (int i = 0; i < 1000; i++) {
                driver.park(0);
            }
            assertEquals(1000, driver.turnCount());
        } finally {
            driver.shutdown();
        }
    }

    /** Shutdown wakes a thread parked without a timeout, later parks return at once, and every descriptor is closed. */
    @Test
    @Timeout(20)
    void shutdownWakesTheParkerAndClosesEverything() throws Exception {
        long before = openDescriptors();
        for (int i = 0; i < 50; i++) {
            UringDriver driver = UringDriver.open();
            IoDriver channels = driver.channelDriver();
            CountDownLatch parking = new CountDownLatch(1);
            Thread parker = Thread.ofPlatform().start(() -> {
                parking.countDown();
                driver.park(-1);
            });
            parking.await();
            driver.shutdown();
            parker.join();
            driver.park(-1);
            driver.shutdown();
            IOException e = assertThrows(IOException.class, driver::channelDriver);
            assertTrue(RuntimeShutdown.isShutdownError(e), e.toString());
            assertFalse(companionThreadAlive(), "the companion selector's thread outlived its driver");
            assertTrue(channels.metrics().registeredCount() == 0);
        }
        assertEquals(before, openDescriptors(), "descriptors left open by 50 drivers");
    }

    /**
     * With rings per worker chosen, a platform thread that attaches gets a ring of its own (a
     * ring, an eventfd and the epoll instance of its edge poller: three descriptors), a virtual
     * thread none; the worker's park in its ring is ended by every unpark from another thread,
     * the driver's own park on that thread waits in the same ring and is ended by the driver's
     * unpark, and shutdown closes it all. Without the choice nobody gets one.
     */
    @Test
    @Timeout(60)
    void aWorkerGetsARingOfItsOwnWhenChosen() throws Exception {
        UringDriver shared = UringDriver.open(false);
        try {
            assertNull(shared.attachWorker());
        } finally {
            shared.shutdown();
        }
        long before = openDescriptors();
        UringDriver driver = UringDriver.open(true);
        long opened = openDescriptors();
        int rounds = 5_000;
        AtomicReference<WorkerQueue> queue = new AtomicReference<>();
        AtomicInteger parked = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch attached = new CountDownLatch(1);
        Thread worker = Thread.ofPlatform().name("worker").start(() -> {
            try {
                queue.set(driver.attachWorker());
                attached.countDown();
                for (int i = 0; i < rounds; i++) {
                    if (i % 2 == 0) {
                        queue.get().park(-1);
                    } else {
                        driver.park(-1);
                    }
                    parked.incrementAndGet();
                }
            } catch (Throwable t) {
                failure.set(t);
                attached.countDown();
            }
        });
        try {
            attached.await();
            assertNotNull(queue.get(), "a platform worker got no ring");
            assertEquals(opened + 3, openDescriptors(), "a ring, an eventfd and an epoll instance for the worker");
            AtomicReference<WorkerQueue> virtual = new AtomicReference<>();
            Thread.ofVirtual().start(() -> virtual.set(driver.attachWorker())).join();
            assertNull(virtual.get(), "a virtual worker would pin its carrier in the ring");
            for (int i = 0; i < rounds; i++) {
                while (parked.get() < i) {
                    Thread.onSpinWait();
                }
                if (i % 2 == 0) {
                    queue.get().unpark();
                } else {
                    driver.unpark();
                }
                // The stall watch's turn from another thread must never take the ring from its worker.
                queue.get().turnForStalledWorker();
            }
            worker.join();
            assertEquals(null, failure.get());
            assertEquals(rounds, parked.get());
        } finally {
            driver.shutdown();
        }
        assertEquals(before, openDescriptors(), "descriptors left open by a driver with a worker ring");
    }

    @Test
    @Timeout(10)
    void theProviderIsPreferredAndOpensHere() throws IOException {
        UringDriverProvider provider = new UringDriverProvider();
        assertEquals("io_uring", provider.name());
        assertTrue(provider.priority() > 0, "the selector's priority is 0");
        assertTrue(provider.isSupported(), provider.whyUnsupported());
        IoDriver driver = provider.open();
        driver.shutdown();
    }

    private static boolean companionThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(UringDriver.COMPANION_THREAD));
    }

    private static long openDescriptors() throws IOException {
        // The directory stream holds a descriptor of its own while it lists: the same in every count.
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
