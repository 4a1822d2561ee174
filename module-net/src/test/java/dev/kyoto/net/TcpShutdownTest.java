package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.KyotoRuntime;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Tokio's tcp_shutdown suite. */
class TcpShutdownTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    @Test
    void shutdownOutputEndsThePeersReadAndKeepsTheOtherDirection() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p = Probe.Pair.open(rt)) {
                p.stream().shutdownOutput();
                assertEquals(-1, p.peer().getInputStream().read(), "the peer reads end of stream");
                p.peer().getOutputStream().write("still here".getBytes());
                ByteBuffer buf = ByteBuffer.allocate(10);
                rt.blockOn(p.stream().readExact(buf));
                assertEquals("still here", new String(buf.array()), "the other direction still works");
                p.peer().shutdownOutput();
                assertEquals(-1, rt.blockOn(p.stream().read(ByteBuffer.allocate(1))));
            }
        });
    }

    @Test
    void shutdownAfterAResetSucceedsOrReportsTheReset() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p = Probe.Pair.open(rt)) {
                p.peer().setSoLinger(true, 0);
                p.peer().close();
                try {
                    p.stream().shutdownOutput();
                } catch (IOException e) {
                    String m = String.valueOf(e.getMessage());
                    assertTrue(m.contains("reset") || m.contains("not connected"), "only the reset may be reported, was " + m);
                }
            }
        });
    }

    @Test
    void shutdownOutputThreeTimesIsFine() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p = Probe.Pair.open(rt)) {
                p.stream().shutdownOutput();
                p.stream().shutdownOutput();
                p.stream().shutdownOutput();
                assertEquals(-1, p.peer().getInputStream().read());
            }
        });
    }

    /**
     * A shutdown right after a write sends the end behind the written bytes, without another turn
     * of the runtime: on io_uring the write's send is still in flight when the shutdown is asked
     * for, and a shutdown that waited for a later turn to see it finish would never send the end
     * from a current-thread runtime that nobody drives any more.
     */
    @Test
    void aShutdownRightAfterAWriteSendsTheEndWithoutLaterTurns() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p = Probe.Pair.open(rt)) {
                byte[] data = new byte[64 * 1024];
                Pattern.fill(ByteBuffer.wrap(data), 0);
                rt.blockOn(p.stream().writeAll(ByteBuffer.wrap(data)));
                rt.blockOn(p.stream().shutdown());
                p.peer().setSoTimeout(10_000);
                assertArrayEquals(data, p.peer().getInputStream().readAllBytes(), "the bytes, then the end");
            }
        });
    }
}
