package dev.kyoto.runtime.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.sync.Oneshot;
import dev.kyoto.runtime.sync.Semaphore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TaskGroupTest {
    /** Rounds of the stress tests; {@code -P soak} (system property {@code kyoto.soak}) runs 5,000. */
    private static final int ROUNDS = Boolean.getBoolean("kyoto.soak") ? 5_000 : 200;

    /** A computation that never finishes on its own and counts its cancel() calls. */
    static final class Forever<T> implements Async<T> {
        final AtomicInteger cancelled;

        Forever(AtomicInteger cancelled) {
            this.cancelled = cancelled;
        }

        @Override
        public Poll<T> poll(Context cx) {
            return Poll.pending();
        }

        @Override
        public void cancel() {
            cancelled.incrementAndGet();
        }
    }

    @Test
    void joinNextGivesOutcomesInTheOrderTheMembersFinishAndNullWhenEmpty() throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().build()) {
            List<Oneshot.Channel<String>> gates = List.of(Oneshot.channel(), Oneshot.channel(), Oneshot.channel());
            List<Object> got = rt.blockOn(Async.defer(() -> {
                TaskGroup<String> group = TaskGroup.open();
                for (Oneshot.Channel<String> g : gates) {
                    group.spawn(g.receiver());
                }
                assertEquals(3, group.size());
                gates.get(2).sender().send("third spawned, first done");
                List<Object> seen = new ArrayList<>();
                return group.joinNext().then(a -> {
                    seen.add(a);
                    gates.get(0).sender().send("first spawned, second done");
                    return group.joinNext();
                }).then(b -> {
                    seen.add(b);
                    seen.add(group.size());
                    gates.get(1).sender().send("last");
                    return group.joinNext();
                }).then(c -> {
                    seen.add(c);
                    return group.joinNext();
                }).map(empty -> {
                    seen.add(empty == null ? "null" : empty);
                    seen.add(group.size());
                    return seen;
                });
            }));
            assertEquals(List.of("third spawned, first done", "first spawned, second done", 1, "last", "null", 0), got);
        }
    }

    @Test
    void aMemberFailureIsThrownByJoinNextAndIsNotAnUnhandledFailure() {
        List<String> unhandled = new CopyOnWriteArrayList<>();
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            IllegalStateException boom = new IllegalStateException("member failed");
            try (KyotoRuntime rt = KyotoRuntime.builder().currentThread()
                    .onUnhandledFailure((name, failure) -> unhandled.add(name)).build()) {
                Exception thrown = assertThrows(IllegalStateException.class, () -> rt.blockOn(Async.defer(() -> {
                    TaskGroup<Integer> group = TaskGroup.open();
                    group.spawn("failing", Async.failed(boom));
                    return group.joinNext();
                })));
                assertSame(boom, thrown);
            }
            assertEquals(List.of(), unhandled, "the group handles its members' failures");
        });
    }

    @ParameterizedTest
    @MethodSource("dev.kyoto.runtime.task.Flavours#both")
    void joinAllGivesEveryValueAndTheFirstFailureAbortsTheRest(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = flavour.get()) {
                List<Integer> values = rt.blockOn(Async.defer(() -> {
                    TaskGroup<Integer> group = TaskGroup.open();
                    for (int i = 0; i < 100; i++) {
                        int n = i;
                        group.spawn(Async.yieldNow().map(v -> n));
                    }
                    return group.joinAll();
                }));
                assertEquals(100, values.size());
                assertEquals(100, new HashSet<>(values).size());

                // A real resource held by the members that must be aborted: semaphore permits.
                Semaphore permits = new Semaphore(3);
                Semaphore holding = new Semaphore(0);
                Semaphore never = new Semaphore(0);
                AtomicInteger cancels = new AtomicInteger();
                List<JoinHandle<Integer>> members = new CopyOnWriteArrayList<>();
                Exception e = assertThrows(IllegalArgumentException.class, () -> rt.blockOn(Async.defer(() -> {
                    TaskGroup<Integer> group = TaskGroup.open();
                    for (int i = 0; i < 3; i++) {
                        members.add(group.spawn(permits.acquire().then(p -> {
                            holding.addPermits(1);
                            return Async.using(p, held -> new Forever<Integer>(cancels));
                        })));
                    }
                    // Six more wait for a permit that never comes.
                    for (int i = 0; i < 6; i++) {
                        members.add(group.spawn(never.acquire().map(p -> 0)));
                    }
                    // The failure comes once the three hold their permits.
                    members.add(group.spawn(holding.acquire(3).map(p -> {
                        throw new IllegalArgumentException("one member failed");
                    })));
                    return group.joinAll();
                })));
                assertEquals("one member failed", e.getMessage());
                for (JoinHandle<Integer> m : members.subList(0, 9)) {
                    assertThrows(CancellationException.class, () -> rt.blockOn(m), "every other member was aborted");
                }
                assertEquals(3, permits.availablePermits(), "the aborted holders gave their permits back");
                assertEquals(3, cancels.get(), "each holder's computation was cancelled");
            }
        });
    }

    @Test
    void closeAbortsWhatRunsAndRefusesNewMembers() throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().build()) {
            AtomicInteger cancels = new AtomicInteger();
            TaskGroup<Void> group = rt.blockOn(Async.defer(() -> Async.ready(TaskGroup.<Void>open())));
            List<JoinHandle<Void>> members = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                members.add(group.spawn(new Forever<>(cancels)));
            }
            rt.blockOn(Async.yieldNow());
            group.close();
            assertTrue(group.isClosed());
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> group.spawn(Async.ready(null)));
            assertTrue(refused.getMessage().contains("closed"), refused.getMessage());
            rt.blockOn(group.shutdown());
            for (JoinHandle<Void> m : members) {
                assertTrue(m.isFinished());
            }
            assertEquals(10, cancels.get());
            assertEquals(0, group.size());
        }
    }

    @ParameterizedTest
    @MethodSource("dev.kyoto.runtime.task.Flavours#both")
    void abortingTheOwnerAbortsItsGroup(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = flavour.get()) {
                AtomicInteger cancels = new AtomicInteger();
                AtomicReference<List<JoinHandle<Void>>> members = new AtomicReference<>();
                Oneshot.Channel<Void> started = Oneshot.channel();
                JoinHandle<Void> owner = rt.spawn(Async.defer(() -> {
                    TaskGroup<Void> group = TaskGroup.open();
                    List<JoinHandle<Void>> ms = new ArrayList<>();
                    for (int i = 0; i < 5; i++) {
                        ms.add(group.spawn(new Forever<>(cancels)));
                    }
                    members.set(ms);
                    started.sender().send(null);
                    return new Forever<Void>(new AtomicInteger());
                }));
                rt.blockOn(started.receiver());
                owner.abort();
                assertThrows(CancellationException.class, () -> rt.blockOn(owner));
                for (JoinHandle<Void> m : members.get()) {
                    assertThrows(CancellationException.class, () -> rt.blockOn(m));
                }
                assertEquals(5, cancels.get());
            }
        });
    }

    @ParameterizedTest
    @MethodSource("dev.kyoto.runtime.task.Flavours#both")
    void anOwnerThatEndsInAnyWayLeavesNoMemberRunning(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = flavour.get()) {
                for (boolean fails : new boolean[] {false, true}) {
                    AtomicInteger cancels = new AtomicInteger();
                    List<JoinHandle<Void>> members = new CopyOnWriteArrayList<>();
                    JoinHandle<String> owner = rt.spawn(Async.defer(() -> {
                        TaskGroup<Void> group = TaskGroup.open();
                        members.add(group.spawn(new Forever<>(cancels)));
                        members.add(group.spawn(new Forever<>(cancels)));
                        return fails ? Async.failed(new java.io.IOException("owner failed")) : Async.ready("owner done");
                    }));
                    if (fails) {
                        assertThrows(java.io.IOException.class, () -> rt.blockOn(owner));
                    } else {
                        assertEquals("owner done", rt.blockOn(owner));
                    }
                    for (JoinHandle<Void> m : members) {
                        assertThrows(CancellationException.class, () -> rt.blockOn(m));
                    }
                    assertEquals(2, cancels.get());
                }
            }
        });
    }

    @Test
    void aGroupOpenedOutsideATaskHasNoOwnerAndLivesUntilClosed() throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().build()) {
            Oneshot.Channel<Integer> gate = Oneshot.channel();
            TaskGroup<Integer> group = rt.blockOn(Async.defer(() -> {
                TaskGroup<Integer> g = TaskGroup.open();
                g.spawn(gate.receiver());
                return Async.ready(g);
            }));
            rt.blockOn(Async.yieldNow());
            gate.sender().send(42);
            assertEquals(42, rt.blockOn(group.joinNext()), "the blockOn that opened it ended, the member did not");
            group.close();
        }
    }

    @Test
    void openOutsideARuntimeSaysWhatToDo() {
        IllegalStateException e = assertThrows(IllegalStateException.class, TaskGroup::open);
        assertTrue(e.getMessage().contains("no Kyoto runtime"), e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("dev.kyoto.runtime.task.Flavours#both")
    void shutdownOfTheRuntimeEndsEveryMember(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            AtomicInteger cancels = new AtomicInteger();
            List<JoinHandle<Void>> members = new ArrayList<>();
            try (KyotoRuntime rt = flavour.get()) {
                TaskGroup<Void> group = rt.blockOn(Async.defer(() -> Async.ready(TaskGroup.<Void>open())));
                for (int i = 0; i < 20; i++) {
                    members.add(group.spawn(new Forever<>(cancels)));
                }
            }
            for (JoinHandle<Void> m : members) {
                assertTrue(m.isFinished());
            }
            assertEquals(20, cancels.get());
        });
    }

    @ParameterizedTest
    @MethodSource("dev.kyoto.runtime.task.Flavours#both")
    void severalJoinersShareTheOutcomesEachExactlyOnce(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(Duration.ofSeconds(ROUNDS / 2), () -> {
            try (KyotoRuntime rt = flavour.get()) {
                for (int round = 0; round < ROUNDS; round++) {
                    TaskGroup<Integer> group = rt.blockOn(Async.defer(() -> Async.ready(TaskGroup.<Integer>open())));
                    int members = 64;
                    for (int i = 0; i < members; i++) {
                        int n = i;
                        group.spawn(Async.yieldNow().map(v -> n));
                    }
                    List<JoinHandle<List<Integer>>> joiners = new ArrayList<>();
                    for (int j = 0; j < 4; j++) {
                        joiners.add(rt.spawn(drain(group, new ArrayList<>())));
                    }
                    Set<Integer> all = new HashSet<>();
                    int total = 0;
                    for (JoinHandle<List<Integer>> j : joiners) {
                        List<Integer> got = rt.blockOn(j);
                        total += got.size();
                        all.addAll(got);
                    }
                    assertEquals(members, total, "round " + round + ": every outcome went to exactly one joiner");
                    assertEquals(members, all.size());
                    assertEquals(0, group.size());
                    group.close();
                }
            }
        });
    }

    /** Joins until the group is empty. */
    private static Async<List<Integer>> drain(TaskGroup<Integer> group, List<Integer> into) {
        return Async.defer(() -> group.size() == 0 ? Async.ready(into) : group.joinNext().then(v -> {
            if (v != null) {
                into.add(v);
            }
            return drain(group, into);
        }));
    }

    @ParameterizedTest
    @MethodSource("dev.kyoto.runtime.task.Flavours#both")
    void closeRacingSpawnFromOtherThreadsLeavesNoMemberRunning(Supplier<KyotoRuntime> flavour) {
        assertTimeoutPreemptively(Duration.ofSeconds(ROUNDS / 2), () -> {
            try (KyotoRuntime rt = flavour.get()) {
                for (int round = 0; round < ROUNDS; round++) {
                    TaskGroup<Void> group = rt.blockOn(Async.defer(() -> Async.ready(TaskGroup.<Void>open())));
                    AtomicInteger cancels = new AtomicInteger();
                    List<JoinHandle<Void>> spawned = new CopyOnWriteArrayList<>();
                    Thread spawner = Thread.ofPlatform().start(() -> {
                        try {
                            for (int i = 0; i < 1000; i++) {
                                spawned.add(group.spawn(new Forever<>(cancels)));
                            }
                        } catch (IllegalStateException closed) {
                            // the group closed under the spawner: the remaining spawns are refused
                        }
                    });
                    group.close();
                    spawner.join();
                    rt.blockOn(group.shutdown());
                    for (JoinHandle<Void> m : spawned) {
                        assertTrue(m.isFinished(), "round " + round + ": a member outlived its closed group");
                    }
                    assertEquals(spawned.size(), cancels.get());
                    assertEquals(0, group.size());
                }
            }
        });
    }

    @Test
    void aMemberDetachedThroughItsOwnHandleIsStillJoinedByTheGroup() throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().build()) {
            Oneshot.Channel<Integer> gate = Oneshot.channel();
            TaskGroup<Integer> group = rt.blockOn(Async.defer(() -> Async.ready(TaskGroup.<Integer>open())));
            JoinHandle<Integer> h = group.spawn(gate.receiver());
            h.cancel();
            gate.sender().send(5);
            assertEquals(5, rt.blockOn(group.joinNext()));
            assertNull(rt.blockOn(group.joinNext()));
            assertFalse(group.isClosed());
        }
    }
}
