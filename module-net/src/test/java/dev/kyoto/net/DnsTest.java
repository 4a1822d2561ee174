package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.Waker;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Tokio's net_lookup_host suite. Names resolve through the test hosts file
 * ({@code -Djdk.net.hosts.file}), so no query leaves the machine.
 */
class DnsTest {
    /** Polled with no runtime on the thread: only a lookup that needs no blocking pool can finish. */
    private static final Context NO_RUNTIME = new Context(Waker.noop());

    private static <T> T readyAtOnce(Async<T> a) throws Exception {
        Poll<T> p = a.poll(NO_RUNTIME);
        assertTrue(p.isReady(), "resolved without a lookup");
        return p.value();
    }

    @Test
    void aSocketAddressIsItsOwnAnswer() throws Exception {
        InetSocketAddress a = new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 8000);
        assertEquals(List.of(a), readyAtOnce(Dns.lookup(a)));
    }

    @Test
    void anAddressLiteralResolvesWithoutALookup() throws Exception {
        assertEquals(List.of(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 8000)),
                readyAtOnce(Dns.lookup("127.0.0.1:8000")));
        assertEquals(List.of(new InetSocketAddress(InetAddress.ofLiteral("::1"), 8000)),
                readyAtOnce(Dns.lookup("[::1]:8000")));
        assertEquals(List.of(new InetSocketAddress(InetAddress.ofLiteral("::1"), 8000)),
                readyAtOnce(Dns.lookup("::1", 8000)));
    }

    @Test
    void localhostResolvesToALoopbackAddress() throws Exception {
        try (KyotoRuntime rt = Loopback.runtime()) {
            List<InetSocketAddress> found = rt.blockOn(Dns.lookup("localhost:3000"));
            Set<InetSocketAddress> loopbacks = Set.of(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 3000),
                    new InetSocketAddress(InetAddress.ofLiteral("::1"), 3000));
            assertTrue(!found.isEmpty() && loopbacks.containsAll(found), found.toString());
            assertEquals(found, rt.blockOn(Dns.lookup("localhost", 3000)));
            assertEquals(found, rt.blockOn(Dns.lookup(InetSocketAddress.createUnresolved("localhost", 3000))));
        }
    }

    @Test
    void aNameWithAddressesOfBothFamiliesYieldsThemAll() throws Exception {
        try (KyotoRuntime rt = Loopback.runtime()) {
            List<InetSocketAddress> found = rt.blockOn(Dns.lookup("refused-first.kyoto.test", 80));
            assertEquals(Set.of(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 80),
                    new InetSocketAddress(InetAddress.ofLiteral("::1"), 80)), Set.copyOf(found));
            assertEquals(2, found.size());
        }
    }

    @Test
    void anUnresolvableNameFailsWithTheResolversError() {
        try (KyotoRuntime rt = Loopback.runtime()) {
            UnknownHostException e = assertThrows(UnknownHostException.class,
                    () -> rt.blockOn(Dns.lookup("no-such-host.kyoto.test:80")));
            assertTrue(e.getMessage().contains("no-such-host.kyoto.test"), e.getMessage());
        }
    }

    @Test
    void aNameNeedsARuntimeForItsLookup() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Dns.lookup("localhost:80").poll(NO_RUNTIME));
        assertTrue(e.getMessage().contains("no Kyoto runtime is running on this thread"), e.getMessage());
    }

    @Test
    void invalidInputIsRefusedAtOnceNamingTheExpectedForm() {
        for (String bad : List.of("localhost", "", ":80", "[::1:80", "[::1]80", "host:port", "1:2:3", "127.0.0.1:99999")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Dns.lookup(bad), bad);
            assertTrue(e.getMessage().contains("HOST:PORT") || e.getMessage().contains("out of range"), e.getMessage());
        }
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> Dns.lookup("", 80));
        assertTrue(empty.getMessage().contains("empty host"), empty.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Dns.lookup("[]:80"));
        IllegalArgumentException port = assertThrows(IllegalArgumentException.class, () -> Dns.lookup("localhost", 65536));
        assertTrue(port.getMessage().contains("0-65535"), port.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Dns.lookup("localhost", -1));
    }
}
