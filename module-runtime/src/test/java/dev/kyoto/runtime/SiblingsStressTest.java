package dev.kyoto.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kyoto.runtime.sync.Semaphore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The children of {@code all} and {@code race} woken from another thread while their task polls
 * them: a wake that lands between the task taking a child's mark and the end of its poll must not
 * be lost (a lost one hangs the round, which the timeout reports).
 */
class SiblingsStressTest {
    private static final int ROUNDS = 2_000;
    private static final int CHILDREN = 4;

    static Stream<Named<Supplier<KyotoRuntime>>> flavours() {
        return Flavours.both();
    }

    private static List<Semaphore> gates() {
        List<Semaphore> gates = new ArrayList<>();
        for (int i = 0; i < CHILDREN; i++) {
            gates.add(new Semaphore(0));
        }
        return gates;
    }

    private static List<Async<Integer>> waitingOn(List<Semaphore> gates) {
        List<Async<Integer>> children = new ArrayList<>();
        for (int i = 0; i < CHILDREN; i++) {
            int index = i;
            children.add(gates.get(i).acquire().map(p -> {
                p.close();
                return index;
            }));
        }
        return children;
    }

    @ParameterizedTest
    @MethodSource("flavours")
    void allCompletesEveryRoundWhenItsChildrenAreWokenFromAnotherThread(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (KyotoRuntime rt = flavour.get()) {
                for (int round = 0; round < ROUNDS; round++) {
                    List<Semaphore> gates = gates();
                    JoinHandle<List<Integer>> whole = rt.spawn(Async.all(waitingOn(gates)));
                    Thread opener = Thread.ofPlatform().start(() -> {
                        for (int i = CHILDREN - 1; i >= 0; i--) {
                            gates.get(i).addPermits(1);
                        }
                    });
                    assertEquals(List.of(0, 1, 2, 3), rt.blockOn(whole), "round " + round);
                    opener.join();
                }
            }
        });
    }

    @ParameterizedTest
    @MethodSource("flavours")
    void raceIsDecidedEveryRoundWhenAChildIsWokenFromAnotherThreadAndTheLosersLeaveTheirQueues(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (KyotoRuntime rt = flavour.get()) {
                for (int round = 0; round < ROUNDS; round++) {
                    List<Semaphore> gates = gates();
                    int winner = round % CHILDREN;
                    JoinHandle<Integer> race = rt.spawn(Async.race(waitingOn(gates)));
                    Thread opener = Thread.ofPlatform().start(() -> gates.get(winner).addPermits(1));
                    assertEquals(winner, rt.blockOn(race), "round " + round);
                    opener.join();
                    for (Semaphore gate : gates) {
                        gate.addPermits(1);
                    }
                    for (int i = 0; i < CHILDREN; i++) {
                        assertEquals(i == winner ? 2 : 1, gates.get(i).availablePermits(), "round " + round + ", gate " + i);
                    }
                }
            }
        });
    }
}
