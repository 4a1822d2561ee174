package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.KyotoRuntime;
import java.util.Set;
import java.util.TreeSet;

/**
 * Waits for closed sockets to be released. A closed registered socket keeps its descriptor until
 * the selector next runs, and its registration until the driver turn after; on a multi-thread
 * runtime a worker may be between the two when the descriptor count is already back. So wait on
 * both, turning the runtime meanwhile.
 */
final class Released {
    private Released() {
    }

    /** Asserts that the process gets back to {@code fds} descriptors and the driver to {@code registrations}. */
    static void await(KyotoRuntime rt, long fds, long registrations, String what) throws Exception {
        long nowFds = Loopback.openDescriptors();
        long nowRegs = registrations(rt);
        for (int turns = 0; (nowFds != fds || nowRegs != registrations) && turns < 10_000; turns++) {
            rt.blockOn(rt.spawn(Async.yieldNow()));
            nowFds = Loopback.openDescriptors();
            nowRegs = registrations(rt);
        }
        assertEquals(fds, nowFds, what + ": open descriptors");
        assertEquals(registrations, nowRegs, what + ": registrations");
    }

    /**
     * Asserts that of the sockets {@code opened}, exactly {@code left} stay open, that no other
     * socket has opened since {@code before}, and that the driver is back to {@code registrations}.
     * Sockets are told apart by their inodes, so a descriptor that some earlier test's runtime
     * closes meanwhile cannot make the count look short.
     */
    static void awaitSockets(KyotoRuntime rt, Set<String> before, Set<String> opened, int left, long registrations,
            String what) throws Exception {
        Set<String> now = Loopback.openSockets();
        long nowRegs = registrations(rt);
        for (int turns = 0; (!settled(now, before, opened, left) || nowRegs != registrations) && turns < 10_000; turns++) {
            rt.blockOn(rt.spawn(Async.yieldNow()));
            now = Loopback.openSockets();
            nowRegs = registrations(rt);
        }
        Set<String> stillOpen = new TreeSet<>(now);
        stillOpen.retainAll(opened);
        Set<String> added = new TreeSet<>(now);
        added.removeAll(before);
        added.removeAll(opened);
        assertEquals(left, stillOpen.size(), what + ": of the sockets " + opened + ", open: " + stillOpen);
        assertEquals(Set.of(), added, what + ": sockets opened since");
        assertEquals(registrations, nowRegs, what + ": registrations");
    }

    private static boolean settled(Set<String> now, Set<String> before, Set<String> opened, int left) {
        long stillOpen = opened.stream().filter(now::contains).count();
        return stillOpen == left && now.stream().allMatch(s -> before.contains(s) || opened.contains(s));
    }

    static long registrations(KyotoRuntime rt) {
        return rt.ioDriverMetrics().orElseThrow().registeredCount();
    }
}
