package dev.kyoto.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.spi.Coop;
import dev.kyoto.runtime.spi.IoDriver;
import dev.kyoto.runtime.spi.IoDriverProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The cooperative budget and the deferral of yields until the next driver poll, on both flavours. */
class CoopTest {

    static Stream<Named<Function<IoDriverProvider, KyotoRuntime>>> flavours() {
        return Stream.of(
                Named.of("current-thread", p -> KyotoRuntime.builder().currentThread().ioDriver(p).build()),
                Named.of("multi-thread", p -> KyotoRuntime.builder().multiThread().workerThreads(1).ioDriver(p).build()));
    }

    private static IoDriverProvider providing(IoDriver driver) {
        return new IoDriverProvider() {
            @Override
            public String name() {
                return "counting";
            }

            @Override
            public IoDriver open() {
                return driver;
            }
        };
    }

    @ParameterizedTest
    @MethodSource("flavours")
    void aTaskPollGetsExactly128UnitsThenYieldsUntilTheDriverIsPolled(Function<IoDriverProvider, KyotoRuntime> flavour)
            throws Exception {
        DriverSelectionTest.ParkingDriver driver = new DriverSelectionTest.ParkingDriver();
        try (KyotoRuntime rt = flavour.apply(providing(driver))) {
            List<Integer> grantedPerPoll = new ArrayList<>();
            List<Integer> parksAtPoll = new ArrayList<>();
            JoinHandle<List<Integer>> h = rt.spawn(cx -> {
                parksAtPoll.add(driver.parks.get());
                int granted = 0;
                while (granted < 300 && Coop.proceed(cx)) {
                    granted++;
                }
                grantedPerPoll.add(granted);
                return grantedPerPoll.size() == 3 ? Poll.ready(grantedPerPoll) : Poll.pending();
            });
            assertEquals(List.of(128, 128, 128), rt.blockOn(h));
            assertTrue(parksAtPoll.get(1) > parksAtPoll.get(0) && parksAtPoll.get(2) > parksAtPoll.get(1),
                    "an exhausted task is polled again only after the driver was: " + parksAtPoll);
        }
    }

    @ParameterizedTest
    @MethodSource("flavours")
    void yieldNowDefersTheTaskUntilAfterTheNextDriverPoll(Function<IoDriverProvider, KyotoRuntime> flavour) throws Exception {
        DriverSelectionTest.ParkingDriver driver = new DriverSelectionTest.ParkingDriver();
        try (KyotoRuntime rt = flavour.apply(providing(driver))) {
            int[] before = new int[1];
            JoinHandle<Integer> h = rt.spawn(Async.ready(null)
                    .then(v -> {
                        before[0] = driver.parks.get();
                        return Async.yieldNow();
                    })
                    .map(v -> driver.parks.get() - before[0]));
            int parksInBetween = rt.blockOn(h);
            assertTrue(parksInBetween >= 1, "the driver was polled between the yield and the next poll: " + parksInBetween);
        }
    }

    @Test
    void outsideATaskTheBudgetIsUnlimited() {
        dev.kyoto.runtime.Context cx = new dev.kyoto.runtime.Context(Waker.noop());
        for (int i = 0; i < 10_000; i++) {
            assertTrue(Coop.proceed(cx));
        }
        assertTrue(Coop.hasBudgetRemaining());
    }

    @ParameterizedTest
    @MethodSource("flavours")
    void aPendingCheckGivesItsUnitBack(Function<IoDriverProvider, KyotoRuntime> flavour) throws Exception {
        DriverSelectionTest.ParkingDriver driver = new DriverSelectionTest.ParkingDriver();
        try (KyotoRuntime rt = flavour.apply(providing(driver))) {
            int granted = rt.blockOn(rt.spawn(cx -> {
                for (int i = 0; i < 1_000; i++) {
                    Coop.proceed(cx);
                    Coop.refund();
                }
                int n = 0;
                while (n < 300 && Coop.proceed(cx)) {
                    n++;
                }
                return Poll.ready(n);
            }));
            assertEquals(128, granted);
        }
    }
}
