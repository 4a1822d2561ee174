package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.KyotoRuntime;

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
     * The open descriptors once two readings a driver turn apart agree: a file opened for a
     * moment at the first reading (a class read from a directory takes a descriptor while it is
     * read) would otherwise count as the process's own and make the later count look short.
     */
    static long steadyDescriptors(KyotoRuntime rt) throws Exception {
        long fds = Loopback.openDescriptors();
        for (int turns = 0; turns < 100; turns++) {
            rt.blockOn(rt.spawn(Async.yieldNow()));
            long now = Loopback.openDescriptors();
            if (now == fds) {
                break;
            }
            fds = now;
        }
        return fds;
    }

    static long registrations(KyotoRuntime rt) {
        return rt.ioDriverMetrics().orElseThrow().registeredCount();
    }
}
