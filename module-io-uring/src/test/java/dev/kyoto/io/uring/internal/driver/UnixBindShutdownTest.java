package dev.kyoto.io.uring.internal.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.spi.RuntimeShutdown;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unix-domain binds racing the driver's shutdown: a bind creates the socket's file, and a socket
 * the driver refuses after that (its registration finding the driver shut) must take the file
 * with it, or the next bind of the path fails with "Address already in use". A thread binds
 * fresh paths in a loop while the driver shuts down; most of each iteration lies between the
 * bind and the registration, so most rounds end with a bind refused there (without the cleanup
 * both tests failed in their first round).
 */
class UnixBindShutdownTest {

    @TempDir
    Path dir;

    /** What one side of the race binds: a listener or a datagram socket, each closed by {@link AutoCloseable}. */
    private interface Binder {
        AutoCloseable bind(UringDriver driver, UnixDomainSocketAddress path) throws IOException;
    }

    @Test
    @Timeout(120)
    void aListenerRefusedAtShutdownLeavesNoFile() throws Exception {
        race("listener", (driver, path) -> driver.listen(path, 16)::close);
    }

    @Test
    @Timeout(120)
    void aDatagramSocketRefusedAtShutdownLeavesNoFile() throws Exception {
        race("datagram", (driver, path) -> driver.bindDatagram(path));
    }

    /**
     * 200 rounds: a fresh driver, a thread binding fresh paths until the shutdown error, the
     * driver shut after the thread's third bind. Then the directory holds exactly the files of
     * the sockets that were handed out.
     */
    private void race(String kind, Binder binder) throws Exception {
        for (int round = 0; round < 200; round++) {
            UringDriver driver = UringDriver.open();
            Set<Path> handedOut = ConcurrentHashMap.newKeySet();
            List<AutoCloseable> sockets = new CopyOnWriteArrayList<>();
            AtomicReference<Throwable> unexpected = new AtomicReference<>();
            CountDownLatch bound = new CountDownLatch(3);
            String prefix = kind + round + "-";
            Thread thread = Thread.ofPlatform().name("binder").start(() -> {
                try {
                    for (int i = 0; ; i++) {
                        Path path = dir.resolve(prefix + i + ".sock");
                        sockets.add(binder.bind(driver, UnixDomainSocketAddress.of(path)));
                        handedOut.add(path);
                        bound.countDown();
                    }
                } catch (Throwable t) {
                    if (!RuntimeShutdown.isShutdownError(t)) {
                        unexpected.set(t);
                    }
                } finally {
                    while (bound.getCount() > 0) {
                        bound.countDown();
                    }
                }
            });
            bound.await();
            driver.shutdown();
            thread.join();
            assertNull(unexpected.get(), () -> "round " + prefix + ": " + unexpected.get());
            for (AutoCloseable socket : sockets) {
                socket.close();
            }
            Set<Path> left;
            try (Stream<Path> files = Files.list(dir)) {
                left = files.filter(p -> p.getFileName().toString().startsWith(prefix)).collect(Collectors.toSet());
            }
            Set<Path> stray = new HashSet<>(left);
            stray.removeAll(handedOut);
            assertEquals(Set.of(), stray, "round " + round + ": the files of sockets refused at shutdown");
            assertTrue(left.containsAll(handedOut), "round " + round + ": the sockets handed out keep their files");
        }
    }
}
