package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link UnixDatagram}, which only a driver owning its sockets can give: on io_uring, datagrams
 * between bound, unbound, connected and paired sockets, their boundaries, the errors that name
 * the path, back-pressure from a full receiver, many tasks on one socket, and nothing left open;
 * on the selector, the refusal that names the module to link.
 */
class UnixDatagramTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final UnixDomainSocketAddress UNNAMED = UnixDomainSocketAddress.of("");

    @TempDir
    Path dir;

    private interface Body {
        void run(KyotoRuntime rt) throws Exception;
    }

    /** Runs {@code body} on a runtime whose driver owns sockets; elsewhere checks the refusal instead. */
    private static void onDriver(KyotoRuntime rt, Body body) throws Exception {
        if (Loopback.driverOwnsSockets(rt)) {
            body.run(rt);
            return;
        }
        for (Async<?> making : List.of(UnixDatagram.unbound(), UnixDatagram.pair())) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> rt.blockOn(making));
            assertTrue(e.getMessage().contains("dev.kyoto.io.uring"), e.getMessage());
            assertTrue(e.getMessage().contains("Unix datagram"), e.getMessage());
        }
    }

    private static void run(Body body) {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                onDriver(rt, body);
            }
        });
    }

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(ByteBuffer b) {
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
    }

    @Test
    void aBoundSocketReceivesFromAnUnboundOneAndFromABoundOneWithItsPath() {
        run(rt -> {
            Path serverPath = dir.resolve("server.sock");
            Path clientPath = dir.resolve("client.sock");
            try (UnixDatagram server = rt.blockOn(UnixDatagram.bind(serverPath));
                    UnixDatagram anonymous = rt.blockOn(UnixDatagram.unbound());
                    UnixDatagram named = rt.blockOn(UnixDatagram.bind(clientPath))) {
                assertEquals(UnixDomainSocketAddress.of(serverPath), server.localAddress());
                assertEquals(UNNAMED, anonymous.localAddress());
                assertEquals(5, (int) rt.blockOn(anonymous.sendTo(bytes("hello"), serverPath)));
                ByteBuffer buf = ByteBuffer.allocate(64);
                assertEquals(UNNAMED, rt.blockOn(server.recvFrom(buf)), "an unbound sender is unnamed");
                assertEquals("hello", text(buf));

                rt.blockOn(named.sendTo(bytes("again"), serverPath));
                buf.clear();
                assertEquals(UnixDomainSocketAddress.of(clientPath), rt.blockOn(server.recvFrom(buf)));
                assertEquals("again", text(buf));
                // And the reply to the path the datagram came from.
                rt.blockOn(server.sendTo(bytes("reply"), clientPath));
                buf.clear();
                assertEquals(5, (int) rt.blockOn(named.recv(buf)));
                assertEquals("reply", text(buf));
                assertEquals("UnixDatagram[unnamed]", anonymous.toString());
            }
        });
    }

    @Test
    void aPairSendsBothWaysAndKeepsDatagramBoundaries() {
        run(rt -> {
            try (UnixDatagram.Pair pair = rt.blockOn(UnixDatagram.pair())) {
                UnixDatagram a = pair.first();
                UnixDatagram b = pair.second();
                assertEquals(UNNAMED, a.peerAddress());
                rt.blockOn(a.send(bytes("one")));
                rt.blockOn(a.send(bytes("two!")));
                rt.blockOn(a.send(ByteBuffer.allocate(0)));
                ByteBuffer buf = ByteBuffer.allocate(64);
                assertEquals(3, (int) rt.blockOn(b.recv(buf)));
                buf.clear();
                assertEquals(4, (int) rt.blockOn(b.recv(buf)));
                buf.clear();
                assertEquals(0, (int) rt.blockOn(b.recv(buf)), "an empty datagram is a datagram");
                // Larger than the buffer: truncated, and the rest is gone with it.
                rt.blockOn(b.send(bytes("0123456789")));
                rt.blockOn(b.send(bytes("next")));
                ByteBuffer small = ByteBuffer.allocate(4);
                assertEquals(4, (int) rt.blockOn(a.recv(small)));
                assertEquals("0123", text(small));
                buf.clear();
                rt.blockOn(a.recv(buf));
                assertEquals("next", text(buf));
                assertEquals("UnixDatagram[unnamed -> unnamed]", a.toString());
            }
        });
    }

    @Test
    void aConnectedSocketSendsToItsPeerAndAnUnconnectedOneMustSayWhere() {
        run(rt -> {
            Path serverPath = dir.resolve("s");
            try (UnixDatagram server = rt.blockOn(UnixDatagram.bind(serverPath));
                    UnixDatagram client = rt.blockOn(UnixDatagram.unbound())) {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> rt.blockOn(client.send(bytes("x"))));
                assertTrue(e.getMessage().contains("connect(path)"), e.getMessage());
                assertThrows(IllegalStateException.class, client::peerAddress);
                rt.blockOn(client.connect(serverPath));
                assertEquals(UnixDomainSocketAddress.of(serverPath), client.peerAddress());
                assertTrue(client.trySend(bytes("now")));
                ByteBuffer buf = ByteBuffer.allocate(16);
                rt.blockOn(server.recv(buf));
                assertEquals("now", text(buf));
                assertTrue(client.toString().endsWith(" -> " + serverPath + "]"), client.toString());
            }
        });
    }

    @Test
    void bindAndConnectFailuresNameThePathAndTheFix() {
        run(rt -> {
            Path taken = dir.resolve("taken.sock");
            UnixDatagram first = rt.blockOn(UnixDatagram.bind(taken));
            BindException inUse = assertThrows(BindException.class, () -> rt.blockOn(UnixDatagram.bind(taken)));
            assertTrue(inUse.getMessage().contains(taken.toString()) && inUse.getMessage().contains("delete it"), inUse.getMessage());
            first.close();
            assertTrue(Files.exists(taken), "a closed socket leaves its path");

            try (UnixDatagram client = rt.blockOn(UnixDatagram.unbound())) {
                ConnectException stale = assertThrows(ConnectException.class, () -> rt.blockOn(client.connect(taken)));
                assertTrue(stale.getMessage().contains(taken.toString()), stale.getMessage());
                Path missing = dir.resolve("missing.sock");
                SocketException none = assertThrows(SocketException.class, () -> rt.blockOn(client.connect(missing)));
                assertTrue(none.getMessage().contains("bind a UnixDatagram"), none.getMessage());
            }
            Path noDir = dir.resolve("no/such/dir/x.sock");
            SocketException dirGone = assertThrows(SocketException.class, () -> rt.blockOn(UnixDatagram.bind(noDir)));
            assertTrue(dirGone.getMessage().contains("directory does not exist"), dirGone.getMessage());
            Path tooLong = dir.resolve("x".repeat(120));
            IllegalArgumentException longPath = assertThrows(IllegalArgumentException.class, () -> rt.blockOn(UnixDatagram.bind(tooLong)));
            assertTrue(longPath.getMessage().contains("too long"), longPath.getMessage());
        });
    }

    /**
     * A receiver that does not read fills the sender's buffer: the sender's {@code trySend} then
     * says no, a {@code send} waits (the driver's write poll), and the receiver's reads let it
     * through, after everything sent before it. Linux wakes the sender once its buffer is down to
     * a quarter, so the receiver reads them all.
     */
    @Test
    void aFullReceiverHoldsBackTheSenderUntilItReads() {
        run(rt -> {
            try (UnixDatagram.Pair pair = rt.blockOn(UnixDatagram.pair())) {
                UnixDatagram sender = pair.first();
                UnixDatagram receiver = pair.second();
                int sent = 0;
                while (sender.trySend(bytes("datagram " + sent))) {
                    sent++;
                }
                assertTrue(sent > 0, "some datagrams fit");
                JoinHandle<Integer> waiting = rt.spawn(sender.send(bytes("last")));
                rt.blockOn(Async.yieldNow());
                assertFalse(waiting.isFinished(), "the sender's buffer is full");
                ByteBuffer buf = ByteBuffer.allocate(64);
                for (int i = 0; i < sent; i++) {
                    rt.blockOn(receiver.recv(buf.clear()));
                    assertEquals("datagram " + i, text(buf), "in order");
                }
                assertEquals(4, (int) rt.blockOn(waiting));
                rt.blockOn(receiver.recv(buf.clear()));
                assertEquals("last", text(buf));
                assertTrue(receiver.tryRecvFrom(buf.clear()).isEmpty(), "nothing more");
            }
        });
    }

    /** Four tasks receiving on one socket from a plain thread: every datagram exactly once. */
    @Test
    void fourTasksReceivingOnOneSocketGetEveryDatagramExactlyOnce() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(4).enableAll().build()) {
                assumeTrue(Loopback.driverOwnsSockets(rt), "a Unix datagram socket needs a driver that owns its sockets");
                int count = 20_000;
                Path path = dir.resolve("stress.sock");
                try (UnixDatagram server = rt.blockOn(UnixDatagram.bind(path));
                        UnixDatagram client = rt.blockOn(UnixDatagram.unbound())) {
                    AtomicIntegerArray seen = new AtomicIntegerArray(count);
                    List<JoinHandle<Integer>> tasks = new ArrayList<>();
                    for (int t = 0; t < 4; t++) {
                        tasks.add(rt.spawn(receiveUntilStop(server, ByteBuffer.allocate(16), seen, 0)));
                    }
                    Thread feeder = Thread.ofPlatform().start(() -> {
                        try {
                            for (int i = 0; i < count; i++) {
                                rt.blockOn(client.sendTo(ByteBuffer.allocate(4).putInt(0, i), path));
                            }
                            for (int t = 0; t < 4; t++) {
                                rt.blockOn(client.sendTo(ByteBuffer.allocate(4).putInt(0, -1), path));
                            }
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                    });
                    int total = 0;
                    for (JoinHandle<Integer> t : tasks) {
                        total += rt.blockOn(t);
                    }
                    feeder.join();
                    assertEquals(count, total);
                    for (int i = 0; i < count; i++) {
                        assertEquals(1, seen.get(i), "datagram " + i);
                    }
                }
            }
        });
    }

    private static Async<Integer> receiveUntilStop(UnixDatagram socket, ByteBuffer buf, AtomicIntegerArray seen, int received) {
        return socket.recv(buf.clear()).then(n -> {
            int i = buf.getInt(0);
            if (i < 0) {
                return Async.ready(received);
            }
            seen.incrementAndGet(i);
            return receiveUntilStop(socket, buf, seen, received + 1);
        });
    }

    /** Closing sockets with receives and readiness waits pending fails each with "socket closed" and leaves none of them open. */
    @Test
    void closingWithWaitersPendingFailsThemAndLeavesNothingOpen() {
        run(rt -> {
            Set<String> before = Loopback.openSockets();
            long registrations = Released.registrations(rt);
            List<UnixDatagram.Pair> pairs = new ArrayList<>();
            List<JoinHandle<?>> waiters = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                UnixDatagram.Pair p = rt.blockOn(UnixDatagram.pair());
                pairs.add(p);
                waiters.add(rt.spawn(p.first().recv(ByteBuffer.allocate(8))));
                waiters.add(rt.spawn(p.second().readable()));
            }
            rt.blockOn(Async.yieldNow());
            Set<String> opened = new HashSet<>(Loopback.openSockets());
            opened.removeAll(before);
            assertEquals(40, opened.size(), "the sockets of the pairs");
            for (UnixDatagram.Pair p : pairs) {
                p.close();
            }
            for (JoinHandle<?> w : waiters) {
                IOException e = assertThrows(IOException.class, () -> rt.blockOn(w));
                assertEquals("socket closed", e.getMessage());
            }
            Released.awaitSockets(rt, before, opened, 0, registrations, "after closing every pair");
            IOException after = assertThrows(IOException.class, () -> rt.blockOn(pairs.get(0).first().send(bytes("x"))));
            assertEquals("socket closed", after.getMessage());
        });
    }
}
