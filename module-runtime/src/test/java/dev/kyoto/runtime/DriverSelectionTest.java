package dev.kyoto.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.internal.driver.DriverSelection;
import dev.kyoto.runtime.spi.DriverHandle;
import dev.kyoto.runtime.spi.IoDriver;
import dev.kyoto.runtime.spi.IoDriverMetrics;
import dev.kyoto.runtime.spi.IoDriverProvider;
import dev.kyoto.runtime.spi.IoHandle;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Driver selection with providers this module defines itself: the runtime module has no driver
 * on its module path, so these tests see exactly the providers they pass in.
 */
class DriverSelectionTest {

    /** A working driver with no I/O behind it: parks the thread until unparked. */
    static final class ParkingDriver implements IoDriver, IoDriverMetrics {
        final AtomicInteger parks = new AtomicInteger();
        final AtomicInteger shutdowns = new AtomicInteger();
        final AtomicInteger flushes = new AtomicInteger();
        private volatile Thread parked;
        private volatile boolean notified;

        @Override
        public void park(long timeoutNanos) {
            parks.incrementAndGet();
            if (timeoutNanos != 0 && !notified) {
                parked = Thread.currentThread();
                if (!notified) {
                    LockSupport.park(this);
                }
                parked = null;
            }
            notified = false;
        }

        @Override
        public void unpark() {
            notified = true;
            Thread t = parked;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }

        @Override
        public void flush() {
            flushes.incrementAndGet();
        }

        @Override
        public void shutdown() {
            shutdowns.incrementAndGet();
        }

        @Override
        public IoDriverMetrics metrics() {
            return this;
        }

        @Override
        public long registeredCount() {
            return 0;
        }

        @Override
        public long readyCount() {
            return 0;
        }

        @Override
        public long turnCount() {
            return parks.get();
        }

        @Override
        public long wakeupCount() {
            return 0;
        }
    }

    private static IoDriverProvider providing(IoDriver driver) {
        return new IoDriverProvider() {
            @Override
            public String name() {
                return "parking";
            }

            @Override
            public IoDriver open() {
                return driver;
            }
        };
    }

    /**
     * What a batching driver (io_uring) relies on: a current-thread {@code blockOn} flushes the
     * driver as it stops driving, and only the threads that drive a runtime say so, since only
     * they flush before they sleep.
     */
    @Test
    void blockOnFlushesAsItStopsDrivingAndOnlyDrivingThreadsSaySo() throws Exception {
        ParkingDriver driver = new ParkingDriver();
        try (KyotoRuntime rt = KyotoRuntime.builder().ioDriver(providing(driver)).build()) {
            assertFalse(DriverHandle.isDriverThread(), "a plain thread");
            boolean insideBlockOn = rt.blockOn(cx -> Poll.ready(DriverHandle.isDriverThread()));
            assertTrue(insideBlockOn, "the thread inside a current-thread blockOn");
            assertFalse(DriverHandle.isDriverThread(), "the same thread once blockOn returned");
            int before = driver.flushes.get();
            assertEquals(1, rt.blockOn(Async.ready(1)));
            assertEquals(before + 1, driver.flushes.get(), "one flush as blockOn stops driving");
        }
        ParkingDriver shared = new ParkingDriver();
        try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(1).ioDriver(providing(shared)).build()) {
            boolean onWorker = rt.blockOn(rt.spawn(cx -> Poll.ready(DriverHandle.isDriverThread())));
            assertTrue(onWorker, "a worker");
            boolean onCaller = rt.blockOn(cx -> Poll.ready(DriverHandle.isDriverThread()));
            assertFalse(onCaller, "a multi-thread runtime's blockOn caller polls, but does not drive the runtime");
        }
    }

    @Test
    void anExplicitProviderIsUsedAndShutDownWithTheRuntime() throws Exception {
        ParkingDriver driver = new ParkingDriver();
        KyotoRuntime rt = KyotoRuntime.builder().ioDriver(providing(driver)).build();
        IoHandle io = rt.blockOn(cx -> Poll.ready(DriverHandle.current().io()));
        assertSame(driver, io.driver());
        assertTrue(io instanceof IoHandle.Enabled);
        int five = rt.blockOn(rt.spawn(Async.yieldNow().map(v -> 5)));
        assertEquals(5, five);
        assertTrue(driver.parks.get() > 0, "the scheduler parks in the chosen driver");
        rt.close();
        assertEquals(1, driver.shutdowns.get());
    }

    @Test
    void aProviderThatFailsToOpenIsNamedInTheError() {
        IOException cause = new IOException("no selector for you");
        IoDriverProvider broken = new IoDriverProvider() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public IoDriver open() throws IOException {
                throw cause;
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> KyotoRuntime.builder().ioDriver(broken).build());
        assertTrue(e.getMessage().contains("broken"), e.getMessage());
        assertSame(cause, e.getCause());
    }

    /** A provider whose {@code open} fails with {@code failure}, as a selector does when descriptors run out. */
    private static IoDriverProvider failing(String name, int priority, IOException failure) {
        return new IoDriverProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public int priority() {
                return priority;
            }

            @Override
            public IoDriver open() throws IOException {
                throw failure;
            }
        };
    }

    @Test
    void whenEveryProviderFailsToOpenTheErrorSaysSoNamesThemAndCarriesEachFailure() {
        IOException nio = new IOException("Too many open files");
        IOException uring = new IOException("io_uring_setup: Operation not permitted");
        List<IoDriverProvider> found = List.of(failing("nio", 0, nio), failing("io-uring", 10, uring));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DriverSelection.choose(found, List.of(), null));
        assertEquals("I/O is enabled but every I/O driver failed to open: io-uring (java.io.IOException: "
                + "io_uring_setup: Operation not permitted), nio (java.io.IOException: Too many open files); "
                + "each failure is attached as a suppressed exception", e.getMessage());
        assertEquals(List.of(uring, nio), List.of(e.getSuppressed()), "tried highest priority first");
        assertFalse(e.getMessage().contains("add module"), "the driver module is there: " + e.getMessage());
    }

    @Test
    void whenNoProviderIsFoundTheErrorNamesTheDriverModule() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DriverSelection.choose(List.of(), List.of(), null));
        assertTrue(e.getMessage().startsWith("I/O is enabled but no I/O driver is available: add module dev.kyoto.io"),
                e.getMessage());
        assertEquals(0, e.getSuppressed().length);
    }

    @Test
    void whenNoProviderIsSupportedTheErrorNamesThem() {
        IoDriverProvider elsewhere = new IoDriverProvider() {
            @Override
            public String name() {
                return "kqueue";
            }

            @Override
            public boolean isSupported() {
                return false;
            }

            @Override
            public IoDriver open() {
                throw new AssertionError("an unsupported provider is never opened");
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DriverSelection.choose(List.of(elsewhere), List.of(), null));
        assertEquals("I/O is enabled but no I/O driver supports this platform: kqueue found; add a driver that does, "
                + "or pass a provider to KyotoRuntime.Builder.ioDriver(...)", e.getMessage());
    }

    @Test
    void aProviderThatFailsToOpenIsSkippedForTheNextOne() {
        ParkingDriver driver = new ParkingDriver();
        IoDriverProvider working = new IoDriverProvider() {
            @Override
            public String name() {
                return "parking";
            }

            @Override
            public IoDriver open() {
                return driver;
            }
        };
        DriverSelection.Opened opened = DriverSelection.choose(
                List.of(working, failing("broken", 10, new IOException("no selector for you"))), List.of(), null);
        assertSame(driver, opened.driver());
        assertEquals("parking", opened.name());
    }

    @Test
    void aRuntimeWithoutIoHasADisabledHandleThatNamesTheFix() throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().build()) {
            IoHandle io = rt.blockOn(cx -> Poll.ready(DriverHandle.current().io()));
            assertTrue(io instanceof IoHandle.Disabled);
            IllegalStateException e = assertThrows(IllegalStateException.class, io::driver);
            assertTrue(e.getMessage().contains("enableIo()"), e.getMessage());
            assertTrue(rt.ioDriverMetrics().isEmpty());
        }
    }

    @Test
    void aDriverNamedByThePropertyMustExist() {
        String previous = System.getProperty("kyoto.io.driver");
        System.setProperty("kyoto.io.driver", "nosuch");
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> KyotoRuntime.builder().enableIo().build());
            assertTrue(e.getMessage().contains("nosuch"), e.getMessage());
        } finally {
            if (previous == null) {
                System.clearProperty("kyoto.io.driver");
            } else {
                System.setProperty("kyoto.io.driver", previous);
            }
        }
    }
}
