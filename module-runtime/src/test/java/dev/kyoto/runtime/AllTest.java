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
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code Async.all}: values in list order, the first failure cancels the rest, only woken children are polled. */
class AllTest {
    private final AtomicInteger wakes = new AtomicInteger();
    private final Context cx = new Context(wakes::incrementAndGet);

    @Test
    void valuesComeInListOrderWhateverOrderTheChildrenFinishIn() throws Exception {
        Stub<String> a = new Stub<>();
        Stub<String> b = new Stub<>();
        Stub<String> c = new Stub<>();
        Async<List<String>> all = Async.all(List.of(a, b, c));
        assertTrue(all.poll(cx).isPending());
        c.complete("c");
        assertTrue(all.poll(cx).isPending());
        b.complete("b");
        assertTrue(all.poll(cx).isPending());
        a.complete("a");
        List<String> values = all.poll(cx).value();
        assertEquals(List.of("a", "b", "c"), values);
        assertThrows(UnsupportedOperationException.class, () -> values.set(0, "x"));
    }

    @Test
    void nullValuesAreKept() throws Exception {
        assertEquals(Arrays.asList(null, "x"), Async.all(List.of(Async.<String>ready(null), Async.ready("x"))).poll(cx).value());
    }

    @Test
    void anEmptyListIsReadyAtOnceWithAnEmptyList() throws Exception {
        assertEquals(List.of(), Async.all(List.<Async<String>>of()).poll(cx).value());
    }

    @Test
    void theFirstFailureCancelsEveryUnfinishedChildOnceAndIsThrown() throws Exception {
        List<String> events = new ArrayList<>();
        Stub<String> done = new Stub<>("done", events);
        Stub<String> waiting1 = new Stub<>("waiting1", events);
        Stub<String> failing = new Stub<>("failing", events);
        Stub<String> waiting2 = new Stub<>("waiting2", events);
        Async<List<String>> all = Async.all(List.of(done, waiting1, failing, waiting2));
        assertTrue(all.poll(cx).isPending());
        done.complete("done");
        assertTrue(all.poll(cx).isPending());
        IOException boom = new IOException("boom");
        failing.failWith(boom);
        assertSame(boom, assertThrows(IOException.class, () -> all.poll(cx)));
        assertEquals(List.of("cancel waiting1", "cancel waiting2"), events);
        assertEquals(0, done.cancels());
        assertEquals(0, failing.cancels());
    }

    @Test
    void cancellingCancelsEveryUnfinishedChildOnce() throws Exception {
        Stub<String> done = new Stub<>();
        Stub<String> waiting = new Stub<>();
        Async<List<String>> all = Async.all(List.of(done, waiting));
        assertTrue(all.poll(cx).isPending());
        done.complete("done");
        assertTrue(all.poll(cx).isPending());
        all.cancel();
        assertEquals(0, done.cancels());
        assertEquals(1, waiting.cancels());
    }

    @Test
    void cancellingBeforeTheFirstPollCancelsEveryChild() {
        Stub<String> a = new Stub<>();
        Stub<String> b = new Stub<>();
        Async.all(List.of(a, b)).cancel();
        assertEquals(1, a.cancels());
        assertEquals(1, b.cancels());
    }

    @Test
    void theFirstPollPollsEveryChildAndLaterPollsOnlyTheWokenOnes() throws Exception {
        Stub<String> a = new Stub<>();
        Stub<String> b = new Stub<>();
        Stub<String> c = new Stub<>();
        Async<List<String>> all = Async.all(List.of(a, b, c));
        assertTrue(all.poll(cx).isPending());
        assertEquals(List.of(1, 1, 1), List.of(a.polls(), b.polls(), c.polls()));
        b.wake();
        assertEquals(1, wakes.get(), "a child's wake reaches the parent's waker");
        b.wake();
        assertEquals(1, wakes.get(), "a second wake before the next poll is not forwarded again");
        assertTrue(all.poll(cx).isPending());
        assertEquals(List.of(1, 2, 1), List.of(a.polls(), b.polls(), c.polls()));
        assertTrue(all.poll(cx).isPending());
        assertEquals(List.of(1, 2, 1), List.of(a.polls(), b.polls(), c.polls()), "a poll nobody asked for polls nobody");
        c.complete("c");
        a.complete("a");
        b.complete("b");
        assertEquals(List.of("a", "b", "c"), all.poll(cx).value());
        assertEquals(List.of(2, 3, 2), List.of(a.polls(), b.polls(), c.polls()));
    }

    @Test
    void aChildsWakeReachesTheWakerOfTheLatestPoll() throws Exception {
        Stub<String> a = new Stub<>();
        Async<List<String>> all = Async.all(List.of(a));
        AtomicInteger other = new AtomicInteger();
        assertTrue(all.poll(cx).isPending());
        a.wake();
        assertTrue(all.poll(new Context(other::incrementAndGet)).isPending());
        a.wake();
        assertEquals(1, wakes.get());
        assertEquals(1, other.get());
    }

    @Test
    void theListIsCopiedAndANullElementIsNamedByItsIndex() throws Exception {
        List<Async<String>> list = new ArrayList<>(List.of(Async.ready("a")));
        Async<List<String>> all = Async.all(list);
        list.add(Async.ready("b"));
        assertEquals(List.of("a"), all.poll(cx).value());
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> Async.all(Arrays.asList(Async.ready("a"), null)));
        assertTrue(e.getMessage().contains("Async.all") && e.getMessage().contains("index 1"), e.getMessage());
    }

    static Stream<Named<Supplier<KyotoRuntime>>> flavours() {
        return Flavours.both();
    }

    /**
     * Two children hold a permit each (closed by {@code using} when they end), one waits in the
     * semaphore's queue, and the fourth fails: afterwards both permits are back and nobody is queued.
     */
    @ParameterizedTest
    @MethodSource("flavours")
    void aFailureReleasesWhatTheOtherChildrenHeldAndWaitedFor(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = flavour.get()) {
                Semaphore sem = new Semaphore(2);
                Async<Void> never = cx -> Poll.pending();
                IOException boom = new IOException("boom");
                Async<List<Void>> all = Async.all(List.of(
                        sem.acquire().then(p -> Async.using(p, held -> never)),
                        sem.acquire().then(p -> Async.using(p, held -> never)),
                        sem.acquire().then(p -> Async.using(p, held -> never)),
                        Async.yieldNow().then(v -> Async.failed(boom))));
                int permitsWhenTheFailureArrived = rt.blockOn(rt.spawn(all.map(v -> -1).recover(IOException.class, e -> {
                    assertSame(boom, e);
                    return sem.availablePermits();
                })));
                assertEquals(2, permitsWhenTheFailureArrived, "both held permits were given back before the failure was thrown");
                sem.addPermits(1);
                assertEquals(3, sem.availablePermits(), "the queued acquire left the queue");
            }
        });
    }

    @ParameterizedTest
    @MethodSource("flavours")
    void childrenWokenFromOtherTasksCompleteTheWholeInListOrder(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = flavour.get()) {
                int n = 50;
                List<Semaphore> gates = new ArrayList<>();
                List<Async<Integer>> children = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    Semaphore gate = new Semaphore(0);
                    gates.add(gate);
                    int index = i;
                    children.add(gate.acquire().map(p -> index));
                }
                JoinHandle<List<Integer>> whole = rt.spawn(Async.all(children));
                for (int i = n - 1; i >= 0; i--) {
                    gates.get(i).addPermits(1);
                }
                List<Integer> values = rt.blockOn(whole);
                for (int i = 0; i < n; i++) {
                    assertEquals(i, values.get(i));
                }
            }
        });
    }
}
