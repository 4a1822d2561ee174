package dev.kyoto.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A handle is an object any task can hold: everybody who joins it is woken when it finishes. */
class JoinHandleJoinersTest {

    /** Pending until opened; stores its waker before it looks at the flag, so no opening is missed. */
    static final class Gate implements Async<String> {
        private final AtomicReference<Waker> waker = new AtomicReference<>();
        private volatile boolean open;

        @Override
        public Poll<String> poll(Context cx) {
            waker.set(cx.waker());
            return open ? Poll.ready("done") : Poll.pending();
        }

        void open() {
            open = true;
            Waker w = waker.get();
            if (w != null) {
                w.wake();
            }
        }
    }

    /** Joins {@code target}, counting down {@code registered} after its first poll of it. */
    static Async<String> joiner(JoinHandle<String> target, CountDownLatch registered) {
        return new Async<>() {
            private boolean counted;

            @Override
            public Poll<String> poll(Context cx) throws Exception {
                Poll<String> p = target.poll(cx);
                if (!counted) {
                    counted = true;
                    registered.countDown();
                }
                return p;
            }

            @Override
            public void cancel() {
                target.cancel();
            }
        };
    }

    @ParameterizedTest
    @MethodSource("dev.kyoto.runtime.Flavours#both")
    void twoTasksABlockOnAndAFutureAllJoiningOneHandleAreAllWoken(Supplier<KyotoRuntime> flavour) throws Exception {
        try (KyotoRuntime rt = flavour.get()) {
            Gate gate = new Gate();
            JoinHandle<String> target = rt.spawn(gate);
            CountDownLatch registered = new CountDownLatch(3);
            JoinHandle<String> first = rt.spawn(joiner(target, registered));
            JoinHandle<String> second = rt.spawn(joiner(target, registered));
            CompletableFuture<String> blocked = new CompletableFuture<>();
            Thread blocker = Thread.ofPlatform().name("blockOn-joiner").start(() -> {
                try {
                    blocked.complete(rt.blockOn(joiner(target, registered)));
                } catch (Throwable t) {
                    blocked.completeExceptionally(t);
                }
            });
            CompletableFuture<String> bridge = target.toCompletableFuture();
            assertTrue(registered.await(30, TimeUnit.SECONDS), "every joiner polled the handle");
            gate.open();
            List<String> outcomes = new ArrayList<>();
            outcomes.add(first.toCompletableFuture().get(10, TimeUnit.SECONDS));
            outcomes.add(second.toCompletableFuture().get(10, TimeUnit.SECONDS));
            outcomes.add(blocked.get(10, TimeUnit.SECONDS));
            outcomes.add(bridge.get(10, TimeUnit.SECONDS));
            assertEquals(List.of("done", "done", "done", "done"), outcomes);
            blocker.join();
        }
    }

    @ParameterizedTest
    @MethodSource("dev.kyoto.runtime.Flavours#both")
    void aJoinerThatDetachesDoesNotStrandTheOthers(Supplier<KyotoRuntime> flavour) throws Exception {
        Gate end = new Gate();
        try (KyotoRuntime rt = flavour.get()) {
            // A current-thread runtime runs tasks only while a thread is inside blockOn.
            Thread driver = Thread.ofPlatform().name("driver").start(() -> {
                try {
                    rt.blockOn(end);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            Gate gate = new Gate();
            JoinHandle<String> target = rt.spawn(gate);
            CountDownLatch registered = new CountDownLatch(2);
            JoinHandle<String> staying = rt.spawn(joiner(target, registered));
            JoinHandle<String> leaving = rt.spawn(joiner(target, registered));
            assertTrue(registered.await(30, TimeUnit.SECONDS), "both joiners polled the handle");
            leaving.abort();
            assertTrue(leaving.toCompletableFuture().handle((v, e) -> e).get(10, TimeUnit.SECONDS)
                    instanceof CancellationException, "the aborted joiner detached");
            gate.open();
            assertEquals("done", staying.toCompletableFuture().get(10, TimeUnit.SECONDS));
            end.open();
            driver.join();
        } finally {
            end.open();
        }
    }
}
