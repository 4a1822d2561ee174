package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The race's parts that a test can only reach from inside: the address order, and cancelling mid-race. */
class HappyEyeballsTest {

    private static InetSocketAddress a(String literal) {
        return new InetSocketAddress(InetAddress.ofLiteral(literal), 443);
    }

    @Test
    void theFirstAddressesFamilyGoesFirstThenTheFamiliesAlternate() {
        assertEquals(List.of(a("2001:db8::1"), a("192.0.2.1"), a("2001:db8::2"), a("192.0.2.2"), a("2001:db8::3")),
                HappyEyeballs.interleave(List.of(a("2001:db8::1"), a("2001:db8::2"), a("2001:db8::3"),
                        a("192.0.2.1"), a("192.0.2.2"))));
        assertEquals(List.of(a("192.0.2.1"), a("2001:db8::1"), a("192.0.2.2"), a("2001:db8::2")),
                HappyEyeballs.interleave(List.of(a("192.0.2.1"), a("192.0.2.2"), a("2001:db8::1"), a("2001:db8::2"))));
    }

    @Test
    void orderWithinAFamilyIsKeptAndTheLongerFamilyFinishesTheList() {
        assertEquals(List.of(a("192.0.2.3"), a("2001:db8::9"), a("192.0.2.1"), a("192.0.2.2")),
                HappyEyeballs.interleave(List.of(a("192.0.2.3"), a("192.0.2.1"), a("2001:db8::9"), a("192.0.2.2"))));
        assertEquals(List.of(a("2001:db8::1"), a("192.0.2.1"), a("192.0.2.2"), a("192.0.2.3")),
                HappyEyeballs.interleave(List.of(a("2001:db8::1"), a("192.0.2.1"), a("192.0.2.2"), a("192.0.2.3"))));
    }

    @Test
    void oneFamilyOrOneAddressIsLeftAsItIs() {
        List<InetSocketAddress> v4 = List.of(a("192.0.2.2"), a("192.0.2.1"), a("192.0.2.3"));
        assertEquals(v4, HappyEyeballs.interleave(v4));
        assertEquals(List.of(a("::1")), HappyEyeballs.interleave(List.of(a("::1"))));
        assertEquals(List.of(), HappyEyeballs.interleave(List.of()));
    }

    static Stream<Named<Supplier<KyotoRuntime>>> flavours() {
        return Stream.of(
                Named.of("current-thread", () -> KyotoRuntime.builder().currentThread().enableAll().build()),
                Named.of("multi-thread", () -> KyotoRuntime.builder().multiThread().workerThreads(2).enableAll().build()));
    }

    /** Polls {@code race} on {@code rt} until {@code running} attempts are connecting at once. */
    private static void driveUntilRunning(KyotoRuntime rt, HappyEyeballs race, int running) throws Exception {
        rt.blockOn(cx -> {
            Poll<TcpStream> p = race.poll(cx);
            if (p.isReady()) {
                throw new AssertionError("a blackholed connect completed: " + p.value());
            }
            return race.attemptsRunning() == running ? Poll.ready(null) : Poll.pending();
        });
    }

    @ParameterizedTest
    @MethodSource("flavours")
    void cancellingTheRaceClosesEveryAttemptsSocket(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = flavour.get(); Blackhole v4 = new Blackhole();
                    Blackhole v6 = new Blackhole(InetAddress.ofLiteral("::1"))) {
                long before = Loopback.openDescriptors();
                long regs = Released.registrations(rt);
                TcpConnector connector = TcpConnector.builder().attemptDelay(Duration.ofMillis(20)).build();
                HappyEyeballs race = (HappyEyeballs) connector.connect(List.of(v6.address(), v4.address()));
                driveUntilRunning(rt, race, 2);
                assertEquals(before + 2, Loopback.openDescriptors(), "two attempts, two sockets");
                race.cancel();
                Released.await(rt, before, regs, "cancel closed both sockets");
            }
        });
    }

    @ParameterizedTest
    @MethodSource("flavours")
    void abortingTheTaskThatRacesClosesEveryAttemptsSocket(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = flavour.get(); Blackhole hole = new Blackhole()) {
                long before = Loopback.openDescriptors();
                long regs = Released.registrations(rt);
                TcpConnector connector = TcpConnector.builder().attemptDelay(Duration.ofMillis(20)).build();
                HappyEyeballs race = (HappyEyeballs) connector.connect(
                        List.of(hole.address(), hole.address(), hole.address()));
                driveUntilRunning(rt, race, 2);
                // The race moves to a task (its attempts take the task's waker on the next poll); aborting
                // the task cancels it.
                JoinHandle<TcpStream> task = rt.spawn(race);
                task.abort();
                assertThrows(CancellationException.class, () -> rt.blockOn(task));
                Released.await(rt, before, regs, "aborting closed every socket");
                assertFalse(race.attemptsRunning() > 0, "no attempt is left running");
            }
        });
    }
}
