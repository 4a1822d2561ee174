package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.RuntimeMetrics;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The I/O driver's side of {@link RuntimeMetrics}, on real loopback sockets. */
@Timeout(60)
class RuntimeMetricsIoTest {

    /**
     * The build runs this suite once per driver and says which in {@code kyoto.test.ioDriver}:
     * this is what shows that the io_uring run ran on io_uring and did not fall back.
     */
    @Test
    void theRuntimeRunsOnTheDriverThisRunIsFor() {
        String expected = System.getProperty("kyoto.test.ioDriver", "nio");
        try (KyotoRuntime rt = KyotoRuntime.builder().enableAll().build()) {
            assertEquals(expected, rt.metrics().ioDriverName());
        }
        try (KyotoRuntime rt = KyotoRuntime.builder().enableTime().build()) {
            assertEquals(null, rt.metrics().ioDriverName(), "no I/O, no driver");
        }
    }

    @Test
    void registrationsReadyEventsAndTurnsFollowTheSockets() throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(2).enableAll().build()) {
            RuntimeMetrics m = rt.metrics();
            assertEquals(0, m.ioRegistrations());
            TcpListener listener = rt.blockOn(TcpListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
            assertEquals(1, m.ioRegistrations());
            TcpStream client = rt.blockOn(TcpStream.connect(listener.localAddress()));
            TcpStream server = rt.blockOn(listener.accept());
            assertEquals(3, m.ioRegistrations(), "the listener and both ends");
            long readyBefore = m.ioReadyEvents();
            long turnsBefore = m.ioDriverTurns();
            ByteBuffer buf = ByteBuffer.allocate(16);
            // The read waits for the write: one readiness event at least, delivered by a turn.
            var read = rt.spawn(server.read(buf));
            rt.blockOn(client.writeAll(ByteBuffer.wrap(new byte[] {1, 2, 3})));
            assertEquals(3, rt.blockOn(read));
            assertTrue(m.ioReadyEvents() > readyBefore, "ready events " + readyBefore + " → " + m.ioReadyEvents());
            assertTrue(m.ioDriverTurns() > turnsBefore, "turns " + turnsBefore + " → " + m.ioDriverTurns());
            client.close();
            server.close();
            listener.close();
            // A closed resource leaves the registrations at the driver's next turn.
            for (int turns = 0; m.ioRegistrations() != 0 && turns < 10_000; turns++) {
                rt.blockOn(rt.spawn(Async.yieldNow()));
            }
            assertEquals(0, m.ioRegistrations());
        }
    }
}
