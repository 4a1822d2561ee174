package dev.kyoto.net.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.KyotoRuntime;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Ten thousand connections held open at once and echoed on, against the README's echo server in
 * this JVM; the client is a {@link LoadClient} in a process of its own, since one process may
 * hold only 20,000 descriptors here. The server holds exactly one descriptor and one registration
 * per connection, echoes every byte back to every connection, and gives all of them back when the
 * clients go.
 */
class HeldConnectionsSoakTest {
    private static final int CONNECTIONS = Soak.size(500, 10_000);
    private static final long ECHO_WAIT_MILLIS = 60_000;
    private static final Figures FIGURES = Figures.of(HeldConnectionsSoakTest.class);

    @ParameterizedTest(name = "{0}")
    @EnumSource(Flavour.class)
    void theServerHoldsAndEchoesEveryConnectionAndGivesEveryDescriptorBack(Flavour flavour) {
        assertTimeoutPreemptively(Duration.ofMinutes(5), () -> {
            try (KyotoRuntime rt = flavour.build("held")) {
                EchoServer server = EchoServer.start(rt);
                try (ClientProcess client = ClientProcess.start(server.address())) {
                    Descriptors.Baseline base = Descriptors.baseline(rt);
                    // The live heap after a full collection, so that garbage does not count; the resident
                    // memory as it is (the soak run's heap is resident from the start: what grows is outside it).
                    long heap0 = ProcessStats.heapAfterGc();
                    long rss0 = ProcessStats.rssKiB();

                    String opened = ask(rt, client, "open " + CONNECTIONS);
                    rt.blockOn(server.accepted.atLeast(CONNECTIONS));
                    ask(rt, client, "send 64");
                    String small = ask(rt, client, "await " + CONNECTIONS + " " + ECHO_WAIT_MILLIS);
                    assertEquals(CONNECTIONS, ClientProcess.field(small, 1), "64-byte echoes: " + small);
                    ask(rt, client, "send 16384");
                    String large = ask(rt, client, "await " + 2 * CONNECTIONS + " " + ECHO_WAIT_MILLIS);
                    assertEquals(2L * CONNECTIONS, ClientProcess.field(large, 1), "16 KiB echoes: " + large);

                    long peakFds = Descriptors.open();
                    long peakRegs = Descriptors.registrations(rt);
                    long heap1 = ProcessStats.heapAfterGc();
                    long rss1 = ProcessStats.rssKiB();
                    assertEquals(base.fds() + CONNECTIONS, peakFds, "descriptors while " + CONNECTIONS + " connections are held");
                    assertEquals(base.registrations() + CONNECTIONS, peakRegs, "registrations while held");
                    assertEquals(CONNECTIONS, server.accepted.get(), "accepted");
                    assertEquals(0, server.ended.get(), "connections the server ended while the client held them");

                    ask(rt, client, "close");
                    rt.blockOn(server.ended.atLeast(CONNECTIONS));
                    assertEquals(0, server.failed.get(), "connections that ended with a failure");
                    Descriptors.awaitBack(rt, base, "after the client closed its " + CONNECTIONS + " connections");
                    FIGURES.add("%s: %,d connections opened in %d ms; echoed 64 B on all in %d ms, then 16 KiB on all in %d ms",
                            flavour, CONNECTIONS, ClientProcess.field(opened, 2), ClientProcess.field(small, 2),
                            ClientProcess.field(large, 2));
                    FIGURES.add("%s: server descriptors %d before, %d held (+%d), %d after; registrations %d, %d, %d",
                            flavour, base.fds(), peakFds, peakFds - base.fds(), Descriptors.open(), base.registrations(),
                            peakRegs, Descriptors.registrations(rt));
                    FIGURES.add("%s: per held connection: live heap %+.1f KiB (its 16 KiB echo buffer included, after a full"
                            + " GC); resident memory %+.1f KiB (VmRSS %,d -> %,d KiB; %s)", flavour,
                            (heap1 - heap0) / 1024.0 / CONNECTIONS, (double) (rss1 - rss0) / CONNECTIONS, rss0, rss1,
                            Soak.FULL ? "the heap pre-touched, so this is what grew outside it" : "heap resizing included");
                }
                server.close();
            }
        });
    }

    /** Sends {@code command} to the client and returns its answer, driving the runtime meanwhile. */
    private static String ask(KyotoRuntime rt, ClientProcess client, String command) throws Exception {
        return rt.blockOn(Async.fromCompletionStage(client.send(command)));
    }
}
