package dev.kyoto.io.uring.internal.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.io.uring.internal.sys.LibC;
import dev.kyoto.io.uring.internal.sys.SocketAddresses;
import dev.kyoto.io.uring.internal.sys.Sockets;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * TCP over the ring against the JDK's own sockets on loopback: the ring accepts, receives, sends,
 * connects and closes, and the JDK's client and server on the other end see ordinary TCP.
 */
@Timeout(60)
class SocketRingTest {
    private static final long ACCEPT = 1;
    private static final long IO = 2;
    private static final long CANCEL = 3;

    private record Cqe(long userData, int result, int flags) {
    }

    /** The completions reaped so far and not yet taken, in order. */
    private final ArrayDeque<Cqe> reaped = new ArrayDeque<>();

    /** The next completion with {@code userData}, waiting in the kernel until it comes. */
    private Cqe next(Ring ring, long userData) throws IOException {
        for (;;) {
            for (Cqe c : reaped) {
                if (c.userData() == userData) {
                    reaped.remove(c);
                    return c;
                }
            }
            if (ring.reap((u, r, f) -> reaped.add(new Cqe(u, r, f))) == 0) {
                ring.submit(1);
            }
        }
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /**
     * One multishot accept serves three JDK clients in turn; each connection's bytes are received
     * and sent back through the ring, then the ring closes it and the client sees the end of the
     * stream. Cancelling the accept ends it, and every descriptor is given back.
     */
    @Test
    void aMultishotAcceptServesClientsThatTheRingEchoesAndCloses() throws Exception {
        for (String host : new String[] {"127.0.0.1", "::1"}) {
            long before = openDescriptors();
            int listener = Sockets.listen(new InetSocketAddress(InetAddress.getByName(host), 0), 16);
            try (Ring ring = Ring.open(16, 0); Arena arena = Arena.ofConfined()) {
                InetSocketAddress bound = Sockets.localAddress(listener);
                assertEquals(InetAddress.getByName(host), bound.getAddress());
                assertNotEquals(0, bound.getPort());
                long accept = ring.prepare(Opcode.ACCEPT, listener, 0, 0, 0, ACCEPT);
                Sqe.ioprio(ring.sqes(), accept, Sqe.ACCEPT_MULTISHOT);
                Sqe.opFlags(ring.sqes(), accept, Sockets.SOCK_NONBLOCK | Sockets.SOCK_CLOEXEC);
                ring.submit(0);
                MemorySegment buffer = arena.allocate(64);
                for (int i = 0; i < 3; i++) {
                    try (Socket client = new Socket(bound.getAddress(), bound.getPort())) {
                        client.setSoTimeout(30_000);
                        Cqe accepted = next(ring, ACCEPT);
                        assertTrue(accepted.result() >= 0, "accept: " + accepted);
                        assertTrue((accepted.flags() & Ring.CQE_F_MORE) != 0, "a multishot accept goes on: " + accepted);
                        int connection = accepted.result();

                        byte[] hello = ("hello " + i + " over " + host).getBytes(StandardCharsets.US_ASCII);
                        client.getOutputStream().write(hello);
                        ring.prepare(Opcode.RECV, connection, buffer.address(), (int) buffer.byteSize(), 0, IO);
                        assertEquals(hello.length, next(ring, IO).result());
                        ring.prepare(Opcode.SEND, connection, buffer.address(), hello.length, 0, IO);
                        assertEquals(hello.length, next(ring, IO).result());
                        InputStream in = client.getInputStream();
                        assertArrayEquals(hello, in.readNBytes(hello.length));

                        ring.prepare(Opcode.CLOSE, connection, 0, 0, 0, IO);
                        assertEquals(0, next(ring, IO).result());
                        assertEquals(-1, in.read(), "the client sees the end of the stream");
                    }
                }
                // ASYNC_CANCEL names the operation to cancel by its user data, in addr.
                ring.prepare(Opcode.ASYNC_CANCEL, -1, ACCEPT, 0, 0, CANCEL);
                assertEquals(0, next(ring, CANCEL).result());
                Cqe last = next(ring, ACCEPT);
                assertEquals(-LibC.ECANCELED, last.result());
                assertEquals(0, last.flags() & Ring.CQE_F_MORE, "the cancelled accept posts nothing more");
            } finally {
                LibC.close(listener);
            }
            assertEquals(before, openDescriptors(), "descriptors after serving three clients over " + host);
        }
    }

    /** The ring connects a socket of its own to a JDK server, and the server reads what it sends. */
    @Test
    void theRingConnectsToAJdkServerAndSends() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
                Ring ring = Ring.open(8, 0); Arena arena = Arena.ofConfined()) {
            InetSocketAddress target = (InetSocketAddress) server.getLocalSocketAddress();
            int fd = Sockets.tcpSocket(target);
            try {
                MemorySegment sockaddr = arena.allocate(SocketAddresses.MAX_SIZE, 8);
                int len = SocketAddresses.write(target, sockaddr);
                // For CONNECT the "off" field carries the address's length.
                ring.prepare(Opcode.CONNECT, fd, sockaddr.address(), 0, len, IO);
                assertEquals(0, next(ring, IO).result());
                try (Socket accepted = server.accept()) {
                    accepted.setSoTimeout(30_000);
                    MemorySegment ping = arena.allocateFrom("ping", StandardCharsets.US_ASCII);
                    ring.prepare(Opcode.SEND, fd, ping.address(), 4, 0, IO);
                    assertEquals(4, next(ring, IO).result());
                    assertEquals("ping", new String(accepted.getInputStream().readNBytes(4), StandardCharsets.US_ASCII));
                    assertEquals(target.getPort(), accepted.getLocalPort());
                    assertEquals(accepted.getPort(), Sockets.localAddress(fd).getPort(), "the server sees the ring's socket");
                }
            } finally {
                LibC.close(fd);
            }
        }
    }

    /** A connection refused is the completion's result, -ECONNREFUSED, not an exception in Java. */
    @Test
    void aConnectToAPortNobodyListensOnIsRefused() throws Exception {
        InetSocketAddress closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = (InetSocketAddress) s.getLocalSocketAddress();
        }
        try (Ring ring = Ring.open(8, 0); Arena arena = Arena.ofConfined()) {
            int fd = Sockets.tcpSocket(closed);
            try {
                MemorySegment sockaddr = arena.allocate(SocketAddresses.MAX_SIZE, 8);
                int len = SocketAddresses.write(closed, sockaddr);
                ring.prepare(Opcode.CONNECT, fd, sockaddr.address(), 0, len, IO);
                assertEquals(-Sockets.ECONNREFUSED, next(ring, IO).result());
                assertEquals("Connection refused", LibC.describe(Sockets.ECONNREFUSED));
            } finally {
                LibC.close(fd);
            }
        }
    }

    @Test
    void aListenerOnAnAddressInUseSaysSoAndLeavesNothingOpen() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            long before = openDescriptors();
            InetSocketAddress address = (InetSocketAddress) taken.getLocalSocketAddress();
            // The JDK's type and words, so that dev.kyoto.net names the address the same way on either driver.
            BindException e = assertThrows(BindException.class, () -> Sockets.listen(address, 1));
            assertEquals("Address already in use", e.getMessage());
            assertEquals(before, openDescriptors(), "the socket of the failed listen is closed");
        }
    }
}
