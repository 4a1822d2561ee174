package dev.kyoto.net;

import static dev.kyoto.net.Datagrams.MSG;
import static dev.kyoto.net.Datagrams.bindV4;
import static dev.kyoto.net.Datagrams.bytes;
import static dev.kyoto.net.Datagrams.received;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.io.Interest;
import dev.kyoto.io.Ready;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.MembershipKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A {@link UdpSocket} on a driver that owns its sockets (io_uring): Tokio's {@code ttl} and
 * {@code take_error}, error readiness, buffers of every kind and size, and nothing left open
 * however a socket ends; on the selector driver, the documented refusal that names the module.
 */
class OwnedUdpSocketTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void ttlReadsBackWhatWasSetAndTheSocketStillWorks(String host) {
        assertTimeoutPreemptively(LIMIT, () -> {
            InetAddress loopback = InetAddress.getByName(host);
            try (KyotoRuntime rt = Loopback.runtime();
                    UdpSocket a = rt.blockOn(UdpSocket.bind(new InetSocketAddress(loopback, 0)));
                    UdpSocket b = rt.blockOn(UdpSocket.bind(new InetSocketAddress(loopback, 0)))) {
                IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> a.setTtl(256));
                assertTrue(bad.getMessage().contains("1 to 255"), bad.getMessage());
                if (!Loopback.driverOwnsSockets(rt)) {
                    UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, a::ttl);
                    assertTrue(e.getMessage().contains("dev.kyoto.io.uring"), e.getMessage());
                    assertThrows(UnsupportedOperationException.class, () -> a.setTtl(9));
                    return;
                }
                assertEquals(64, a.ttl(), "Linux's default");
                a.setTtl(3);
                assertEquals(3, a.ttl());
                assertEquals(64, b.ttl(), "one socket's setting is its own");
                rt.blockOn(a.sendTo(bytes(MSG), b.localAddress()));
                ByteBuffer buf = ByteBuffer.allocate(16);
                assertEquals(a.localAddress(), rt.blockOn(b.recvFrom(buf)));
                assertEquals(MSG, received(buf));
                a.close();
                IOException closed = assertThrows(IOException.class, a::ttl);
                assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
            }
        });
    }

    /**
     * A datagram to a port nobody has bound comes back as ICMP port unreachable, which the kernel
     * keeps as the connected socket's pending error: a wait for error readiness sees it, and
     * {@code takeError} takes it, once.
     */
    @Test
    void aRefusedDatagramLeavesAnErrorThatAnErrorWaitSeesAndTakeErrorTakes() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); UdpSocket socket = bindV4(rt)) {
                rt.blockOn(socket.connect(Datagrams.closedPort()));
                if (!Loopback.driverOwnsSockets(rt)) {
                    UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, socket::takeError);
                    assertTrue(e.getMessage().contains("dev.kyoto.io.uring"), e.getMessage());
                    return;
                }
                assertEquals(Optional.empty(), socket.takeError(), "nothing refused yet");
                JoinHandle<Ready> waiting = rt.spawn(socket.ready(Interest.ERROR));
                rt.blockOn(socket.send(bytes(MSG)));
                assertTrue(rt.blockOn(waiting).isError());
                Optional<IOException> error = socket.takeError();
                assertInstanceOf(PortUnreachableException.class, error.orElseThrow());
                assertEquals(Optional.empty(), socket.takeError(), "taken, so cleared");
            }
        });
    }

    /** Heap and direct buffers, read-only sources, and a datagram of the largest size IPv4 carries. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void everyKindOfBufferCarriesWholeDatagramsUpToTheLargest(boolean direct) {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); UdpSocket a = bindV4(rt); UdpSocket b = bindV4(rt)) {
                a.setSendBufferSize(256 * 1024);
                b.setRecvBufferSize(256 * 1024);
                byte[] largest = new byte[65_507];
                for (int i = 0; i < largest.length; i++) {
                    largest[i] = (byte) (i * 31);
                }
                ByteBuffer src = direct ? ByteBuffer.allocateDirect(largest.length) : ByteBuffer.allocate(largest.length);
                src.put(largest).flip();
                assertEquals(largest.length, (int) rt.blockOn(a.sendTo(src.asReadOnlyBuffer(), b.localAddress())));
                ByteBuffer dst = direct ? ByteBuffer.allocateDirect(65_536) : ByteBuffer.allocate(65_536);
                assertEquals(largest.length, (int) rt.blockOn(b.recv(dst)));
                byte[] got = new byte[largest.length];
                dst.flip().get(got);
                assertArrayEquals(largest, got);

                // A buffer at an offset into a larger array, and a slice of a direct one.
                ByteBuffer window = (direct ? ByteBuffer.allocateDirect(64) : ByteBuffer.allocate(64)).position(10).slice();
                rt.blockOn(a.sendTo(bytes(MSG), b.localAddress()));
                assertEquals(MSG.length(), (int) rt.blockOn(b.recv(window)));
                byte[] message = new byte[MSG.length()];
                window.flip().get(message);
                assertArrayEquals(MSG.getBytes(StandardCharsets.US_ASCII), message);

                IllegalArgumentException ro = assertThrows(IllegalArgumentException.class,
                        () -> rt.blockOn(b.recv(ByteBuffer.allocate(8).asReadOnlyBuffer())));
                assertTrue(ro.getMessage().toLowerCase().contains("read-only"), ro.getMessage());
            }
        });
    }

    /** Receives waiting on a socket when its runtime shuts down fail with the shutdown error; nothing hangs. */
    @Test
    void aWaitingReceiveFailsWithTheShutdownErrorWhenItsRuntimeShutsDown() {
        assertTimeoutPreemptively(LIMIT, () -> {
            KyotoRuntime rt = Loopback.runtime();
            UdpSocket socket = bindV4(rt);
            CountDownLatch waiting = new CountDownLatch(1);
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Async<Integer> recv = socket.recv(ByteBuffer.allocate(8));
            Thread receiver = Thread.ofPlatform().start(() -> {
                try {
                    rt.blockOn(cx -> {
                        Poll<Integer> p = recv.poll(cx);
                        waiting.countDown();
                        return p;
                    });
                    outcome.set(new AssertionError("the receive completed"));
                } catch (Throwable t) {
                    outcome.set(t);
                }
            });
            waiting.await();
            rt.close();
            receiver.join();
            assertTrue(KyotoRuntime.isShutdownError(outcome.get()), String.valueOf(outcome.get()));
            socket.close();
        });
    }

    /**
     * Many sockets, each with receives and readiness waits pending in the driver, closed: every
     * waiter fails with "socket closed", none of the sockets stays open and the driver holds none.
     */
    @Test
    void closingSocketsWithWaitersPendingLeavesNothingOpen() {
        assertTimeoutPreemptively(LIMIT, () -> {
            Loopback.openJdkPreCloseDescriptor();
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(2).enableAll().build()) {
                Set<String> before = Loopback.openSockets();
                long registrations = Released.registrations(rt);
                List<UdpSocket> sockets = new ArrayList<>();
                List<JoinHandle<?>> waiters = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    UdpSocket s = bindV4(rt);
                    sockets.add(s);
                    waiters.add(rt.spawn(s.recv(ByteBuffer.allocate(8))));
                    waiters.add(rt.spawn(s.peekSender()));
                    waiters.add(rt.spawn(s.ready(Interest.READABLE.add(Interest.ERROR))));
                }
                Set<String> opened = new HashSet<>(Loopback.openSockets());
                opened.removeAll(before);
                assertEquals(50, opened.size(), "the sockets bound");
                // Each socket has its waits armed: a datagram to the first completes its three.
                try (UdpSocket sender = bindV4(rt)) {
                    rt.blockOn(sender.sendTo(bytes(MSG), sockets.get(0).localAddress()));
                    assertEquals(MSG.length(), (int) rt.blockOn(waiters.get(0)));
                }
                for (UdpSocket s : sockets) {
                    s.close();
                }
                for (JoinHandle<?> w : waiters.subList(3, waiters.size())) {
                    IOException e = assertThrows(IOException.class, () -> rt.blockOn(w));
                    assertEquals("socket closed", e.getMessage());
                }
                Released.awaitSockets(rt, before, opened, 0, registrations, "after closing every socket");
            }
        });
    }

    /** A membership is any-source, is the same key when joined twice, and is valid until dropped. */
    @Test
    void aMembershipIsAnySourceAndEndsWhenDropped() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                NetworkInterface lo = NetworkInterface.getByInetAddress(InetAddress.getLoopbackAddress());
                InetAddress group = InetAddress.getByName("239.255.42.97");
                UdpSocket receiver = rt.blockOn(UdpSocket.bind(new InetSocketAddress(group, 0)));
                MembershipKey key = receiver.joinMulticast(group, lo);
                assertEquals(key, receiver.joinMulticast(group, lo), "joined already: the same key");
                assertEquals(lo, key.networkInterface());
                assertEquals(null, key.sourceAddress(), "any-source");
                key.drop();
                assertTrue(!key.isValid());
                IllegalArgumentException notGroup = assertThrows(IllegalArgumentException.class,
                        () -> receiver.joinMulticast(InetAddress.getLoopbackAddress(), lo));
                assertTrue(notGroup.getMessage().contains("multicast"), notGroup.getMessage());
                receiver.close();
            }
        });
    }

    /**
     * A membership blocks a source as the JDK's keys do, on either driver: the kernel's own table
     * of source filters ({@code /proc/net/mcfilter}) lists the source excluded from the group on
     * the interface, and no longer once it is unblocked, after which its datagrams to the group
     * arrive. Bad sources and a dropped membership are refused with what to do instead.
     */
    @Test
    void aMembershipBlocksASourceUntilItIsUnblocked() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                NetworkInterface lo = NetworkInterface.getByInetAddress(InetAddress.getLoopbackAddress());
                InetAddress group = InetAddress.getByName("239.255.42.98");
                InetAddress source = InetAddress.getByName("127.0.0.1");
                try (UdpSocket receiver = rt.blockOn(UdpSocket.bind(new InetSocketAddress(group, 0)));
                        UdpSocket sender = rt.blockOn(UdpSocket.bind("127.0.0.1:0"))) {
                    sender.setMulticastInterface(lo);
                    MembershipKey key = receiver.joinMulticast(group, lo);
                    assertEquals(0, excluded(group, source), "nothing filtered before the block");
                    assertEquals(key, key.block(source));
                    assertEquals(1, excluded(group, source), "the kernel filters the source out of the group on lo");
                    assertEquals(key, key.block(source), "blocked already: nothing changes");
                    assertEquals(1, excluded(group, source));

                    key.unblock(source);
                    assertEquals(0, excluded(group, source), "unblocked");
                    InetSocketAddress to = new InetSocketAddress(group, receiver.localAddress().getPort());
                    rt.blockOn(sender.sendTo(bytes("after"), to));
                    ByteBuffer buf = ByteBuffer.allocate(32);
                    rt.blockOn(receiver.recv(buf));
                    assertEquals("after", received(buf), "the source's datagrams arrive again");

                    IllegalStateException notBlocked = assertThrows(IllegalStateException.class, () -> key.unblock(source));
                    assertTrue(notBlocked.getMessage().contains("not blocked"), notBlocked.getMessage());
                    assertThrows(IllegalArgumentException.class, () -> key.block(InetAddress.getByName("0.0.0.0")));
                    assertThrows(IllegalArgumentException.class, () -> key.block(group));
                    assertThrows(IllegalArgumentException.class, () -> key.block(InetAddress.getByName("::1")));
                    key.drop();
                    assertThrows(IllegalStateException.class, () -> key.block(source));
                }
            }
        });
    }

    /**
     * How many sockets exclude {@code source} from {@code group} on lo, as {@code /proc/net/mcfilter}
     * lists them: group and source in hexadecimal, then the include and exclude counts.
     */
    private static int excluded(InetAddress group, InetAddress source) throws IOException {
        String mca = String.format("0x%08x", ByteBuffer.wrap(group.getAddress()).getInt());
        String src = String.format("0x%08x", ByteBuffer.wrap(source.getAddress()).getInt());
        for (String line : Files.readAllLines(Path.of("/proc/net/mcfilter"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 6 && f[1].equals("lo") && f[2].equals(mca) && f[3].equals(src)) {
                return Integer.parseInt(f[5]);
            }
        }
        return 0;
    }
}
