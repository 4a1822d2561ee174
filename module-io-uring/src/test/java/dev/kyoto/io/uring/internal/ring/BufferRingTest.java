package dev.kyoto.io.uring.internal.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.io.uring.internal.sys.LibC;
import dev.kyoto.io.uring.internal.sys.Sockets;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One multishot receive over a provided-buffer ring against a JDK client on loopback: each message
 * lands in a provided buffer named by its completion, a recycled buffer is taken again, and a
 * ring whose buffers are all held ends the receive with {@code ENOBUFS}.
 */
@Timeout(60)
class BufferRingTest {
    private static final long ACCEPT = 1;
    private static final long RECV = 2;
    private static final int ENOBUFS = 105;

    private record Cqe(long userData, int result, int flags) {
        int bufferId() {
            assertTrue((flags & Ring.CQE_F_BUFFER) != 0, "a provided buffer: " + this);
            return flags >>> Ring.CQE_BUFFER_SHIFT;
        }

        boolean more() {
            return (flags & Ring.CQE_F_MORE) != 0;
        }
    }

    private final ArrayDeque<Cqe> reaped = new ArrayDeque<>();

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

    @Test
    void aMultishotReceiveFillsProvidedBuffersUntilTheyRunOut() throws Exception {
        int listener = Sockets.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        try (Ring ring = Ring.open(16, 0)) {
            BufferRing buffers = BufferRing.register(ring, 4, 64, (short) 7);
            assertNotNull(buffers, "this kernel (6.0 or later, as the build's) has provided-buffer rings");
            InetSocketAddress bound = Sockets.localAddress(listener);
            try (Socket client = new Socket(bound.getAddress(), bound.getPort())) {
                OutputStream out = client.getOutputStream();
                ring.prepare(Opcode.ACCEPT, listener, 0, 0, 0, ACCEPT);
                int connection = next(ring, ACCEPT).result();
                assertTrue(connection >= 0, "accepted");
                try {
                    long recv = ring.prepare(Opcode.RECV, connection, 0, 0, 0, RECV);
                    Sqe.ioprio(ring.sqes(), recv, Sqe.RECV_MULTISHOT);
                    Sqe.flags(ring.sqes(), recv, Sqe.BUFFER_SELECT);
                    Sqe.bufGroup(ring.sqes(), recv, buffers.group());
                    ring.submit(0);

                    // Each message, sent once the last was received, fills a buffer of its own;
                    // the first buffer goes back and is taken again after the other three.
                    int[] ids = new int[5];
                    for (int i = 0; i < 5; i++) {
                        byte[] message = ("message " + i).getBytes(StandardCharsets.US_ASCII);
                        out.write(message);
                        Cqe c = next(ring, RECV);
                        assertEquals(message.length, c.result(), "message " + i + ": " + c);
                        assertTrue(c.more(), "the receive goes on: " + c);
                        ids[i] = c.bufferId();
                        MemorySegment got = buffers.buffer(ids[i]).asSlice(0, c.result());
                        assertEquals("message " + i, new String(got.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII));
                        if (i == 0) {
                            buffers.recycle(ids[0]);
                        }
                    }
                    assertEquals(ids[0], ids[4], "the recycled buffer is the next one taken");
                    for (int i = 1; i < 4; i++) {
                        assertNotEquals(ids[0], ids[i]);
                    }
                    // All four are held now: the next message finds none, and the receive ends.
                    out.write(1);
                    Cqe dry = next(ring, RECV);
                    assertEquals(-ENOBUFS, dry.result(), "no buffer left: " + dry);
                    assertEquals(0, dry.flags() & Ring.CQE_F_MORE, "the receive ends");
                } finally {
                    LibC.close(connection);
                }
            }
        } finally {
            LibC.close(listener);
        }
    }
}
