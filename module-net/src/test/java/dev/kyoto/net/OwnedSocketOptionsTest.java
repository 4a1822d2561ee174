package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.KyotoRuntime;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What only a driver that owns its sockets can do (Tokio's {@code ttl}, {@code take_error} and a
 * true {@code peek}), on streams it accepted and streams it connected; and on the selector driver,
 * the documented refusal that names the module to link.
 */
class OwnedSocketOptionsTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    /** Tokio's {@code TcpListener::set_ttl}: read back, and inherited by the connections accepted after it. */
    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void aListenersTtlReadsBackAndReachesTheConnectionsItAccepts(String host) {
        assertTimeoutPreemptively(LIMIT, () -> {
            InetAddress loopback = InetAddress.getByName(host);
            try (KyotoRuntime rt = Loopback.runtime();
                    TcpListener listener = rt.blockOn(TcpListener.bind(new InetSocketAddress(loopback, 0)))) {
                IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> listener.setTtl(0));
                assertTrue(bad.getMessage().contains("1 to 255"), bad.getMessage());
                if (!Loopback.driverOwnsSockets(rt)) {
                    UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, listener::ttl);
                    assertTrue(e.getMessage().contains("dev.kyoto.io.uring"), e.getMessage());
                    assertThrows(UnsupportedOperationException.class, () -> listener.setTtl(9));
                    return;
                }
                assertEquals(64, listener.ttl(), "Linux's default");
                listener.setTtl(33);
                assertEquals(33, listener.ttl());
                try (Socket peer = new Socket()) {
                    peer.connect(listener.localAddress());
                    try (TcpStream accepted = rt.blockOn(listener.accept())) {
                        assertEquals(33, accepted.ttl(), "the accepted connection inherited the listener's");
                    }
                }
                listener.close();
                IOException closed = assertThrows(IOException.class, listener::ttl);
                assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void ttlReadsBackWhatWasSetOnAcceptedAndConnectedStreams(String host) {
        assertTimeoutPreemptively(LIMIT, () -> {
            InetAddress loopback = InetAddress.getByName(host);
            try (KyotoRuntime rt = Loopback.runtime();
                    TcpListener listener = rt.blockOn(TcpListener.bind(new InetSocketAddress(loopback, 0)));
                    Socket peer = new Socket()) {
                peer.connect(listener.localAddress());
                try (TcpStream accepted = rt.blockOn(listener.accept());
                        ServerSocket jdk = new ServerSocket(0, 1, loopback);
                        TcpStream connected = rt.blockOn(TcpStream.connect(jdk.getLocalSocketAddress()));
                        Socket far = jdk.accept()) {
                    if (!Loopback.driverOwnsSockets(rt)) {
                        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, accepted::ttl);
                        assertTrue(e.getMessage().contains("dev.kyoto.io.uring"), e.getMessage());
                        assertThrows(UnsupportedOperationException.class, () -> connected.setTtl(9));
                        return;
                    }
                    assertEquals(64, accepted.ttl(), "Linux's default");
                    accepted.setTtl(17);
                    connected.setTtl(200);
                    assertEquals(17, accepted.ttl());
                    assertEquals(200, connected.ttl());
                    // Still a working connection after it.
                    rt.blockOn(connected.writeAll(ByteBuffer.wrap(new byte[] {7})));
                    assertEquals(7, far.getInputStream().read());
                }
            }
        });
    }

    @Test
    void ttlOutOfRangeIsRefusedBeforeTheDriverIsAsked() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p = Probe.Pair.open(rt)) {
                for (int bad : new int[] {0, -1, 256}) {
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.stream().setTtl(bad));
                    assertEquals("ttl must be 1 to 255, was " + bad, e.getMessage());
                }
            }
        });
    }

    @Test
    void takeErrorReportsAResetOnceAndThenNothing() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p = Probe.Pair.open(rt)) {
                if (!Loopback.driverOwnsSockets(rt)) {
                    UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, p.stream()::takeError);
                    assertTrue(e.getMessage().contains("SO_ERROR"), e.getMessage());
                    return;
                }
                assertEquals(Optional.empty(), p.stream().takeError(), "a healthy connection");
                p.peer().setSoLinger(true, 0);
                p.peer().close();
                // Nothing reads the stream, so the reset stays pending in the socket until taken;
                // the loop waits for the peer's RST to be processed, nothing else.
                Optional<IOException> error;
                do {
                    error = p.stream().takeError();
                } while (error.isEmpty());
                assertInstanceOf(SocketException.class, error.get());
                assertEquals("Connection reset", error.get().getMessage());
                assertEquals(Optional.empty(), p.stream().takeError(), "taking the error clears it");
            }
        });
    }

    @Test
    void aPeekOnTheDriverSeesWhatArrivedAfterAnEarlierPeek() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p = Probe.Pair.open(rt)) {
                byte[] first = new byte[200];
                Arrays.fill(first, (byte) 'a');
                byte[] second = new byte[100];
                Arrays.fill(second, (byte) 'b');
                p.peer().getOutputStream().write(first);
                ByteBuffer small = ByteBuffer.allocate(4);
                assertEquals(4, rt.blockOn(p.stream().peek(small)));
                assertArrayEquals("aaaa".getBytes(), small.array());
                p.peer().getOutputStream().write(second);
                ByteBuffer all = ByteBuffer.allocate(300);
                int seen;
                if (!Loopback.driverOwnsSockets(rt)) {
                    // The documented limit of the JDK's sockets: the stream read ahead at most
                    // max(4, 64) bytes for the first peek, and a later peek sees only those.
                    seen = rt.blockOn(p.stream().peek(all));
                    assertEquals(64, seen);
                } else {
                    // The bytes may still be on their way through loopback: peek until they are
                    // all seen, as a protocol sniffer would.
                    do {
                        all.clear();
                        seen = rt.blockOn(p.stream().peek(all));
                    } while (seen < 300);
                    assertEquals(300, seen);
                }
                // A peek takes nothing: a read then returns the same bytes, and the stream goes on.
                ByteBuffer read = ByteBuffer.allocate(300);
                rt.blockOn(p.stream().readExact(read));
                byte[] expected = new byte[300];
                System.arraycopy(first, 0, expected, 0, 200);
                System.arraycopy(second, 0, expected, 200, 100);
                assertArrayEquals(expected, read.array());
                assertArrayEquals(Arrays.copyOf(expected, seen), Arrays.copyOf(all.array(), seen));
                p.peer().shutdownOutput();
                assertEquals(-1, rt.blockOn(p.stream().peek(ByteBuffer.allocate(1))));
            }
        });
    }
}
