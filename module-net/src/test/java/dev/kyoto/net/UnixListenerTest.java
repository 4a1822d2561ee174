package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unix-domain listeners: accept (single-slot and many waiters), paths in use, the file after close, errors. */
class UnixListenerTest {

    @TempDir
    Path dir;

    private void run(UdpSocketTest.ThrowingBody body) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                body.run(rt);
            }
        });
    }

    private static void assertMentions(Throwable e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "\"" + e.getMessage() + "\" should mention \"" + p + "\"");
        }
    }

    @Test
    void acceptsAConnectionOnBothPaths() {
        run(rt -> {
            Path path = dir.resolve("accept.sock");
            UnixListener listener = rt.blockOn(UnixListener.bind(path));
            UnixStream a = rt.blockOn(UnixStream.connect(path));
            UnixStream b = rt.blockOn(UnixStream.connect(path));
            UnixStream first = rt.blockOn(listener.accept());
            UnixStream second = rt.blockOn(listener::pollAccept);
            rt.blockOn(a.writeAll(ByteBuffer.wrap(new byte[] {1})));
            rt.blockOn(b.writeAll(ByteBuffer.wrap(new byte[] {2})));
            ByteBuffer one = ByteBuffer.allocate(1);
            rt.blockOn(first.readExact(one));
            ByteBuffer two = ByteBuffer.allocate(1);
            rt.blockOn(second.readExact(two));
            assertEquals(1, one.get(0));
            assertEquals(2, two.get(0));
            for (AutoCloseable c : List.of(a, b, first, second, listener)) {
                c.close();
            }
        });
    }

    /** Tokio's accept_many: many tasks wait in accept on one listener at once; each connection serves one. */
    @Test
    void manyWaitingAcceptsAreAllServed() {
        run(rt -> {
            Path path = dir.resolve("many.sock");
            UnixListener listener = rt.blockOn(UnixListener.bind(path));
            int n = 50;
            List<JoinHandle<UnixStream>> accepts = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                accepts.add(rt.spawn(listener.accept()));
            }
            rt.blockOn(Async.yieldNow());
            for (JoinHandle<UnixStream> a : accepts) {
                assertFalse(a.isFinished());
            }
            List<UnixStream> clients = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                clients.add(rt.blockOn(UnixStream.connect(path)));
            }
            for (JoinHandle<UnixStream> a : accepts) {
                rt.blockOn(a).close();
            }
            for (UnixStream c : clients) {
                c.close();
            }
            listener.close();
        });
    }

    /** A path bound by a live listener, or left over by a closed one, is a BindException naming the path. */
    @Test
    void bindingAPathInUseIsABindException() {
        run(rt -> {
            Path path = dir.resolve("taken.sock");
            UnixListener listener = rt.blockOn(UnixListener.bind(path));
            BindException live = assertThrows(BindException.class, () -> rt.blockOn(UnixListener.bind(path)));
            assertMentions(live, "Address already in use", path.toString(), "delete it");
            assertTrue(live.getCause() instanceof BindException, "the JDK's error is the cause");
            listener.close();
            assertThrows(BindException.class, () -> rt.blockOn(UnixListener.bind(path)), "the file is still there");
            Files.delete(path);
            rt.blockOn(UnixListener.bind(path)).close();
        });
    }

    /** Closing a listener leaves its file, as in Tokio; connecting to it then is refused, naming the path. */
    @Test
    void closingTheListenerLeavesItsFileAndConnectingToItIsRefused() {
        run(rt -> {
            Path path = dir.resolve("stale.sock");
            rt.blockOn(UnixListener.bind(path)).close();
            // The JDK closes a channel that was registered with a selector only when the selector
            // next runs: until the reactor turns, the socket still listens.
            rt.blockOn(Async.yieldNow());
            assertTrue(Files.exists(path));
            ConnectException e = assertThrows(ConnectException.class, () -> rt.blockOn(UnixStream.connect(path)));
            assertMentions(e, "Connection refused", path.toString());
        });
    }

    @Test
    void connectingToAMissingPathNamesIt() {
        run(rt -> {
            Path path = dir.resolve("missing.sock");
            SocketException e = assertThrows(SocketException.class, () -> rt.blockOn(UnixStream.connect(path)));
            assertMentions(e, "no Unix-domain socket at " + path, "bind a UnixListener");
        });
    }

    @Test
    void bindingInAMissingDirectoryNamesTheFix() {
        run(rt -> {
            Path path = dir.resolve("no-such-dir").resolve("x.sock");
            SocketException e = assertThrows(SocketException.class, () -> rt.blockOn(UnixListener.bind(path)));
            assertMentions(e, path.toString(), "directory does not exist");
        });
    }

    /** The JDK allows 106 bytes of path; a longer one is bad input, named with the fix. */
    @Test
    void aPathTooLongIsAnIllegalArgument() {
        run(rt -> {
            Path path = dir.resolve("x".repeat(120));
            assertMentions(assertThrows(IllegalArgumentException.class, () -> rt.blockOn(UnixListener.bind(path))),
                    "too long", "shorter path");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> rt.blockOn(UnixStream.connect(path))),
                    "too long");
        });
    }

    /** Failed binds and connects close the sockets they opened. */
    @Test
    void failedBindsAndConnectsLeakNothing() {
        run(rt -> {
            Path taken = dir.resolve("leak.sock");
            UnixListener listener = rt.blockOn(UnixListener.bind(taken));
            Path missing = dir.resolve("nothing.sock");
            Path stale = dir.resolve("stale.sock");
            rt.blockOn(UnixListener.bind(stale)).close();
            rt.blockOn(Async.yieldNow());
            long before = Loopback.openDescriptors();
            for (int i = 0; i < 20; i++) {
                assertThrows(BindException.class, () -> rt.blockOn(UnixListener.bind(taken)));
                assertThrows(SocketException.class, () -> rt.blockOn(UnixStream.connect(missing)));
                assertThrows(ConnectException.class, () -> rt.blockOn(UnixStream.connect(stale)));
            }
            rt.blockOn(Async.yieldNow());
            assertEquals(before, Loopback.openDescriptors(), "no descriptor leaked");
            assertEquals(1, rt.ioDriverMetrics().orElseThrow().registeredCount());
            listener.close();
        });
    }

    /**
     * On a runtime built without I/O the error names the fix, and neither a socket nor the file is
     * left behind. The connect reaches a plain JDK listener first, so its failure is the
     * registration's.
     */
    @Test
    void onARuntimeWithoutIoTheErrorNamesTheFixAndNothingIsLeftBehind() throws Exception {
        Path plain = dir.resolve("plain.sock");
        try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().build();
                java.nio.channels.ServerSocketChannel listening =
                        java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            listening.bind(java.net.UnixDomainSocketAddress.of(plain));
            Path path = dir.resolve("no-io.sock");
            long before = Loopback.openDescriptors();
            assertMentions(assertThrows(IllegalStateException.class, () -> rt.blockOn(UnixListener.bind(path))), "enableIo()");
            assertFalse(Files.exists(path), "the file the bind created is removed");
            assertMentions(assertThrows(IllegalStateException.class, () -> rt.blockOn(UnixStream.connect(plain))), "enableIo()");
            assertEquals(before, Loopback.openDescriptors());
        }
    }

    /** Closing the listener fails a waiting accept, and later ones, with "listener closed". */
    @Test
    void closeFailsWaitingAndLaterAcceptsWithListenerClosed() {
        run(rt -> {
            UnixListener listener = rt.blockOn(UnixListener.bind(dir.resolve("closing.sock")));
            JoinHandle<UnixStream> waiting = rt.spawn(listener.accept());
            rt.blockOn(Async.yieldNow());
            listener.close();
            assertEquals("listener closed", assertThrows(IOException.class, () -> rt.blockOn(waiting)).getMessage());
            assertEquals("listener closed", assertThrows(IOException.class, () -> rt.blockOn(listener.accept())).getMessage());
        });
    }
}
