package dev.kyoto.net.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kyoto.net.DescriptorLimit;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.KyotoRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The README's echo server run out of descriptors again and again. In each cycle the process's
 * descriptor limit is lowered to leave room for a few hundred more; a {@link LoadClient} in
 * another process opens that many connections and more, so that the server accepts until
 * {@code EMFILE} and the rest wait in its backlog. Out of descriptors, the server must keep
 * serving the connections it holds and keep trying to accept (its back-off reporting each
 * failure); when the client closes those connections, their descriptors come back and the server
 * accepts and serves every connection that waited: nothing is lost. After each cycle the limit is
 * put back and the process's descriptors and the driver's registrations are where they were.
 *
 * <p>module-net's {@code AcceptBackoffTest} proves one accept riding out one shortage, and
 * module-cli's {@code EchoServerDescriptorLimitTest} the tool under {@code ulimit -n}; this is
 * the same at soak scale, cycle after cycle, with the descriptors counted.
 */
class DescriptorExhaustionSoakTest {
    private static final int CYCLES = Soak.size(2, 25);
    /** Room left under the lowered limit: the connections the server accepts before it runs out. */
    private static final int ROOM = Soak.size(50, 400);
    /** Connections beyond the room, waiting in the backlog (1,024 long) while the server is out. */
    private static final int WAITING = Soak.size(50, 400);
    private static final long ECHO_WAIT_MILLIS = 60_000;
    private static final Figures FIGURES = Figures.of(DescriptorExhaustionSoakTest.class);

    /** What one cycle saw. */
    private record Cycle(long held, long waited, long failures, long echoedOutMillis, long recoveryMillis) {
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Flavour.class)
    void aServerOutOfDescriptorsKeepsServingAndServesEveryWaitingConnectionOnceTheyAreBack(Flavour flavour) {
        assertTimeoutPreemptively(Duration.ofMinutes(10), () -> {
            SuiteClasses.load();
            try (KyotoRuntime rt = flavour.build("exhaust")) {
                EchoServer server = EchoServer.start(rt);
                try (ClientProcess client = ClientProcess.start(server.address())) {
                    // One connection first, with descriptors to spare: every class the cycles use is loaded.
                    ask(rt, client, "open 1");
                    ask(rt, client, "send 64");
                    ask(rt, client, "await 1 " + ECHO_WAIT_MILLIS);
                    ask(rt, client, "close");
                    rt.blockOn(server.ended.atLeast(1));
                    Descriptors.Baseline base = Descriptors.baseline(rt);
                    long echoed = 1;
                    List<Cycle> cycles = new ArrayList<>();
                    for (int c = 0; c < CYCLES; c++) {
                        Cycle cycle = runOutAndRecover(rt, server, client, echoed, c);
                        echoed += cycle.held() + cycle.waited();
                        cycles.add(cycle);
                        Descriptors.awaitBack(rt, base, "cycle " + c + ", the limit put back");
                    }
                    assertEquals(0, server.failed.get(), "connections that ended with a failure");
                    report(flavour, base, cycles);
                }
                server.close();
            }
        });
    }

    private static Cycle runOutAndRecover(KyotoRuntime rt, EchoServer server, ClientProcess client, long echoedBefore, int c)
            throws Throwable {
        int limit = Descriptors.highest() + 1 + ROOM;
        long room = limit - Descriptors.open();
        long total = room + WAITING;
        long acceptedBefore = server.accepted.get();
        long failuresBefore = server.acceptFailures.get();
        long endedBefore = server.ended.get();
        try (DescriptorLimit lowered = DescriptorLimit.lowerTo(limit)) {
            // Nothing below may open a descriptor: no figures, no descriptor counts.
            ask(rt, client, "open " + total);
            rt.blockOn(server.acceptFailures.atLeast(failuresBefore + 2));
            long held = server.accepted.get() - acceptedBefore;
            assertEquals(room, held, "cycle " + c + ": connections accepted before EMFILE, each taking a descriptor");

            // Out of descriptors, the server echoes on every connection it holds.
            ask(rt, client, "send 64");
            String out = ask(rt, client, "await " + (echoedBefore + held) + " " + ECHO_WAIT_MILLIS);
            assertEquals(echoedBefore + held, ClientProcess.field(out, 1), "cycle " + c + ": echoes while out of descriptors");
            assertEquals(held, server.accepted.get() - acceptedBefore, "cycle " + c + ": accepted while out of descriptors");

            // The held connections end; their descriptors serve the ones that waited.
            long start = System.nanoTime();
            long echoed = echoedBefore + held;
            for (int round = 0; echoed < echoedBefore + total && round < 10; round++) {
                ask(rt, client, "close-echoed");
                echoed = ClientProcess.field(ask(rt, client, "await " + (echoedBefore + total) + " " + ECHO_WAIT_MILLIS), 1);
            }
            long recoveryMillis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(echoedBefore + total, echoed, "cycle " + c + ": every connection that waited was served");
            ask(rt, client, "close");
            rt.blockOn(server.ended.atLeast(endedBefore + total));
            long failures = server.acceptFailures.get() - failuresBefore;
            return new Cycle(held, total - held, failures, ClientProcess.field(out, 2), recoveryMillis);
        }
    }

    private static void report(Flavour flavour, Descriptors.Baseline base, List<Cycle> cycles) {
        long[] recovery = cycles.stream().mapToLong(Cycle::recoveryMillis).sorted().toArray();
        FIGURES.add("%s: %d cycles; in each, %d to %d connections accepted before EMFILE and %d waiting in the backlog;"
                + " %,d connections in all, every one echoed",
                flavour, cycles.size(), cycles.stream().mapToLong(Cycle::held).min().orElse(0),
                cycles.stream().mapToLong(Cycle::held).max().orElse(0), WAITING,
                cycles.stream().mapToLong(x -> x.held() + x.waited()).sum());
        FIGURES.add("%s: accept failures ridden out per cycle %d to %d (%,d in all); echo on every held connection while out"
                + " of descriptors: at most %d ms", flavour,
                cycles.stream().mapToLong(Cycle::failures).min().orElse(0), cycles.stream().mapToLong(Cycle::failures).max().orElse(0),
                cycles.stream().mapToLong(Cycle::failures).sum(), cycles.stream().mapToLong(Cycle::echoedOutMillis).max().orElse(0));
        FIGURES.add("%s: recovery (held connections closed -> every waiting connection accepted and echoed): median %d ms, max %d ms",
                flavour, recovery[recovery.length / 2], recovery[recovery.length - 1]);
        FIGURES.add("%s: descriptors %d and registrations %d before, %d and %d after every cycle",
                flavour, base.fds(), base.registrations(), base.fds(), base.registrations());
    }

    private static String ask(KyotoRuntime rt, ClientProcess client, String command) throws Exception {
        return rt.blockOn(Async.fromCompletionStage(client.send(command)));
    }
}
