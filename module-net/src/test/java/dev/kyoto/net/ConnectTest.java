package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.KyotoRuntime;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectTest {

    @Test
    void connectsToTheSecondAddressWhenTheFirstIsRefused() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                InetSocketAddress listening = listener.localAddress();
                TcpStream s = rt.blockOn(TcpStream.connect(List.of(Loopback.refusedAddress(), listening)));
                assertEquals(listening, s.peerAddress());
                TcpStream accepted = rt.blockOn(listener.accept());
                assertEquals(s.localAddress(), accepted.peerAddress());
                s.close();
                accepted.close();
                listener.close();
            }
        });
    }

    @Test
    void aRefusedConnectThrowsConnectExceptionAndClosesItsSocket() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                InetSocketAddress refused = Loopback.refusedAddress();
                assertThrows(ConnectException.class, () -> rt.blockOn(TcpStream.connect(refused)));
                rt.blockOn(Async.yieldNow());
                long before = Loopback.openDescriptors();
                for (int i = 0; i < 50; i++) {
                    assertThrows(ConnectException.class, () -> rt.blockOn(TcpStream.connect(refused)));
                }
                // Closed sockets are released when the reactor next turns, as Tokio releases them.
                rt.blockOn(Async.yieldNow());
                assertEquals(before, Loopback.openDescriptors(), "a failed connect leaks no descriptor");
                assertEquals(0, rt.ioDriverMetrics().orElseThrow().registeredCount());
            }
        });
    }

    @Test
    void whenEveryAddressIsRefusedTheLastErrorIsThrownAndEverySocketClosed() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                List<InetSocketAddress> refused = List.of(Loopback.refusedAddress(), Loopback.refusedAddress(),
                        Loopback.refusedAddress());
                assertThrows(ConnectException.class, () -> rt.blockOn(TcpStream.connect(refused)));
                rt.blockOn(Async.yieldNow());
                long before = Loopback.openDescriptors();
                // Every refusal on loopback reads "Connection refused", so which one won cannot be
                // told apart here; what can: the error is the refusal, and no attempt leaks.
                ConnectException e = assertThrows(ConnectException.class, () -> rt.blockOn(TcpStream.connect(refused)));
                assertEquals(0, e.getSuppressed().length, "earlier attempts' errors are not piled onto the last");
                rt.blockOn(Async.yieldNow());
                assertEquals(before, Loopback.openDescriptors());
            }
        });
    }

    @Test
    void hostNamesAreResolvedAndTheirAddressesTriedInOrder() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                int port = listener.localAddress().getPort();
                List<InetSocketAddress> resolved = rt.blockOn(Dns.lookup("refused-first.kyoto.test", port));
                assertEquals(2, resolved.size(), resolved.toString());
                // ::1 has nothing listening on this port; the second address, 127.0.0.1, answers.
                try (TcpStream s = rt.blockOn(TcpStream.connect("refused-first.kyoto.test:" + port))) {
                    assertEquals(InetAddress.getByName("127.0.0.1"), s.peerAddress().getAddress());
                }
                try (TcpStream s = rt.blockOn(TcpStream.connect("local.kyoto.test", port))) {
                    assertEquals(port, s.peerAddress().getPort());
                }
                listener.close();
            }
        });
    }

    @Test
    void anUnresolvableNameFailsWithUnknownHostException() {
        try (KyotoRuntime rt = Loopback.runtime()) {
            assertThrows(UnknownHostException.class, () -> rt.blockOn(TcpStream.connect("no-such-host.kyoto.test:80")));
        }
    }

    @Test
    void anEmptyAddressListCannotResolve() {
        try (KyotoRuntime rt = Loopback.runtime()) {
            IOException e = assertThrows(IOException.class, () -> rt.blockOn(TcpStream.connect(List.of())));
            assertEquals("could not resolve to any address", e.getMessage());
        }
    }

    @Test
    void badAddressTextIsRefusedAtOnceWithTheExpectedForm() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TcpStream.connect("localhost"));
        assertTrue(e.getMessage().contains("HOST:PORT"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TcpStream.connect("127.0.0.1:99999"));
        assertThrows(IllegalArgumentException.class, () -> TcpStream.connect("[::1:80"));
        assertThrows(IllegalArgumentException.class,
                () -> TcpStream.connect(List.of(InetSocketAddress.createUnresolved("localhost", 80))));
    }

    @Test
    void ipv6LiteralsAreUsedWithoutResolving() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                TcpListener listener;
                try {
                    listener = rt.blockOn(TcpListener.bind("[::1]:0"));
                } catch (IOException e) {
                    // A machine without IPv6 loopback cannot run this check.
                    org.junit.jupiter.api.Assumptions.abort("no IPv6 loopback: " + e);
                    return;
                }
                try (TcpStream s = rt.blockOn(TcpStream.connect("[::1]:" + listener.localAddress().getPort()))) {
                    assertEquals(InetAddress.getByName("::1"), s.peerAddress().getAddress());
                }
                listener.close();
            }
        });
    }
}
