package dev.kyoto.io.uring.internal.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class SocketAddressesTest {

    @Test
    void ipv4AndIpv6RoundTripThroughTheKernelsLayout() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(SocketAddresses.MAX_SIZE, 8);
            InetSocketAddress v4 = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 7000);
            assertEquals(16, SocketAddresses.write(v4, s));
            assertEquals(SocketAddresses.AF_INET, s.get(ValueLayout.JAVA_SHORT, 0));
            assertEquals(0x1b, s.get(ValueLayout.JAVA_BYTE, 2), "port 7000 is 0x1b58, in network order");
            assertEquals(0x58, s.get(ValueLayout.JAVA_BYTE, 3));
            assertEquals(v4, SocketAddresses.read(s));
            InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 65535);
            assertEquals(28, SocketAddresses.write(v6, s));
            assertEquals(SocketAddresses.AF_INET6, s.get(ValueLayout.JAVA_SHORT, 0));
            assertEquals(v6, SocketAddresses.read(s));
        }
    }

    @Test
    void anUnresolvedAddressIsRefusedWithTheFix() {
        try (Arena arena = Arena.ofConfined()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SocketAddresses.write(InetSocketAddress.createUnresolved("localhost", 1), arena.allocate(28)));
            assertEquals("localhost/<unresolved>:1 is unresolved: resolve it before binding or connecting", e.getMessage());
        }
    }
}
