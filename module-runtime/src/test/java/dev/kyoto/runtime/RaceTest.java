package dev.kyoto.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.sync.Semaphore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code Async.race}: the first to end decides, the losers are cancelled first, ties go to the first in the list. */
class RaceTest {
    private final AtomicInteger wakes = new AtomicInteger();
    private final Context cx = new Context(wakes::incrementAndGet);

    @Test
    void theFirstToCompleteWinsAndEveryOtherIsCancelledOnce() throws Exception {
        Stub<String> a = new Stub<>();
        Stub<String> b = new Stub<>();
        Stub<String> c = new Stub<>();
        Async<String> race = Async.race(List.of(a, b, c));
        assertTrue(race.poll(cx).isPending());
        b.complete("b");
        assertEquals("b", race.poll(cx).value());
        assertEquals(List.of(1, 0, 1), List.of(a.cancels(), b.cancels(), c.cancels()));
    }

    @Test
    void theFirstToFailWinsAndEveryOtherIsCancelledOnce() throws Exception {
        Stub<String> a = new Stub<>();
        Stub<String> b = new Stub<>();
        Async<String> race = Async.race(a, b);
        assertTrue(race.poll(cx).isPending());
        IOException boom = new IOException("boom");
        a.failWith(boom);
        assertSame(boom, assertThrows(IOException.class, () -> race.poll(cx)));
        assertEquals(List.of(0, 1), List.of(a.cancels(), b.cancels()));
    }

    @Test
    void onATieTheFirstInTheListWins() throws Exception {
        Stub<String> first = Stub.readyWith("first");
        Stub<String> second = Stub.readyWith("second");
        assertEquals("first", Async.race(first, second).poll(cx).value());
        assertEquals(0, second.polls(), "the race was decided before the second was polled");
        assertEquals(1, second.cancels());

        Stub<String> a = new Stub<>();
        Stub<String> b = new Stub<>();
        Async<String> race = Async.race(a, b);
        assertTrue(race.poll(cx).isPending());
        b.complete("b");
        a.complete("a");
        assertEquals("a", race.poll(cx).value(), "both ready in the same poll: the first in the list wins");
        assertEquals(1, b.cancels());
    }

    @Test
    void laterPollsPollOnlyTheWokenChildren() throws Exception {
        Stub<String> a = new Stub<>();
        Stub<String> b = new Stub<>();
        Stub<String> c = new Stub<>();
        Async<String> race = Async.race(List.of(a, b, c));
        assertTrue(race.poll(cx).isPending());
        c.wake();
        assertEquals(1, wakes.get());
        assertTrue(race.poll(cx).isPending());
        assertEquals(List.of(1, 1, 2), List.of(a.polls(), b.polls(), c.polls()));
        assertTrue(race.poll(cx).isPending());
        assertEquals(List.of(1, 1, 2), List.of(a.polls(), b.polls(), c.polls()));
    }

    @Test
    void cancellingCancelsEveryChildOnce() throws Exception {
        Stub<String> a = new Stub<>();
        Stub<String> b = new Stub<>();
        Async<String> race = Async.race(a, b);
        assertTrue(race.poll(cx).isPending());
        race.cancel();
        assertEquals(List.of(1, 1), List.of(a.cancels(), b.cancels()));
    }

    @Test
    void anEmptyRaceIsRefusedSayingWhatToDo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Async.race(List.<Async<String>>of()));
        assertTrue(e.getMessage().contains("at least one"), e.getMessage());
    }

    @Test
    void aNullComputationIsNamedByItsIndex() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> Async.race(Async.ready("a"), null));
        assertTrue(e.getMessage().contains("Async.race") && e.getMessage().contains("index 1"), e.getMessage());
    }

    @Test
    void theListIsCopied() throws Exception {
        Stub<String> a = new Stub<>();
        List<Async<String>> list = new ArrayList<>(List.of(a));
        Async<String> race = Async.race(list);
        list.add(0, Async.ready("late"));
        assertTrue(race.poll(cx).isPending());
        a.complete("a");
        assertEquals("a", race.poll(cx).value());
    }

    static Stream<Named<Supplier<KyotoRuntime>>> flavours() {
        return Flavours.both();
    }

    /** The losers wait in a semaphore's queue and hold a permit; after the race neither is left. */
    @ParameterizedTest
    @MethodSource("flavours")
    void theLosersReleaseWhatTheyHeldAndWaitedForBeforeTheWinnerIsReturned(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = flavour.get()) {
                Semaphore sem = new Semaphore(1);
                Async<String> never = cx -> Poll.pending();
                Async<String> race = Async.race(List.of(
                        sem.acquire().then(p -> Async.using(p, held -> never)),
                        sem.acquire().map(p -> "queued"),
                        Async.yieldNow().then(v -> Async.defer(() -> Async.ready("winner after " + sem.availablePermits())))));
                assertEquals("winner after 0; right after the race 1",
                        rt.blockOn(rt.spawn(race.map(w -> w + "; right after the race " + sem.availablePermits()))),
                        "the permit was held while the race ran, and given back before the winner was returned");
                assertEquals(1, sem.availablePermits(), "the held permit was given back");
                sem.addPermits(1);
                assertEquals(2, sem.availablePermits(), "the queued acquire left the queue");
            }
        });
    }
}
